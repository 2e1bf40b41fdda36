package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	cmap "github.com/orcaman/concurrent-map"
)

// registryBuckets is how many maps of 32 shards the process registry of a
// server's actor system is split into.
//
// protoactor splits its registry (every live actor by id) into 1 024 maps of
// 32 shards each: 32 768 Go maps. Until there are tens of thousands of
// actors nearly every connection actor lands in a map of its own, whose first
// entry allocates a whole group of 8 slots: the registry holds 248 heap bytes
// per actor, against 43 in 16 maps (TestCompactRegistryEntryCost). With 16
// maps (512 shards, each with its own lock) 15 000 connections fill about 30
// slots per shard.
const registryBuckets = 16

// compactRegistry replaces the process registry's maps of sys with
// registryBuckets maps, moving over what is registered already (the dead
// letter and event stream processes). It must run before anything else uses
// sys: the registry's maps are read without a lock of their own.
func compactRegistry(sys *actor.ActorSystem) {
	old := sys.ProcessRegistry.LocalPIDs
	sm := &actor.SliceMap{LocalPIDs: make([]cmap.ConcurrentMap, registryBuckets)}
	for i := range sm.LocalPIDs {
		sm.LocalPIDs[i] = cmap.New()
	}
	for _, m := range old.LocalPIDs {
		for id, p := range m.Items() {
			sm.GetBucket(id).Set(id, p)
		}
	}
	sys.ProcessRegistry.LocalPIDs = sm
}
