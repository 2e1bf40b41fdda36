package resp

import (
	"sync"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// -maxmemory in cluster mode: each node's limit applies to the data of the
// shard grains it hosts, together, as each Redis Cluster primary enforces
// its own maxmemory over the keys it holds. A node's shards each own a
// Store (shard_grain.go) and run on their own goroutines, so they share
// only counts: each Store publishes its used memory, keys and keys with a
// time to live into the node's nodeMemory after every batch, expiry and
// eviction, and compares the node's sum, not its own, with -maxmemory.
//
// A shard over the node's limit evicts its own keys by the policy, as on
// one node. One with none the policy may take, while others of the node
// have some, lets the command run (Redis's EVICT_RUNNING) and asks each of
// the node's other shards to evict (evictMore): they do, after what they
// have queued, until the node is under its limit again. With nothing to
// evict anywhere on the node (or under noeviction) a command that may add
// data gets the OOM error. INFO memory's used_memory, INFO stats'
// evicted_keys, INFO keyspace and DBSIZE are the node's: its shards' data,
// beside its own key space (which holds no key in cluster mode).

// nodeMemory is the data of the shard grains one node hosts, summed; the
// registry of those grains, for asking them to evict.
type nodeMemory struct {
	used     atomic.Int64 // bytes (memory.go's count)
	keys     atomic.Int64 // keys, every database
	volatile atomic.Int64 // keys with a time to live
	evicted  atomic.Int64 // keys evicted (INFO stats)
	grains   sync.Map     // the PID id of each shard grain hosted here -> *actor.PID

	// Each database's keys, and keys with a time to live: DBSIZE and INFO
	// keyspace count the node's shards, as Redis Cluster's count the keys
	// of the node asked.
	dbKeys, dbVolatile [numDBs]atomic.Int64
}

// memReport is what one Store last added to its node's sums.
type memReport struct {
	used, keys, volatile int64
	dbKeys, dbVolatile   [numDBs]int64
}

// publish adds to the node's sums what changed in the Store since it last
// did. A Store outside a shard grain (node nil) has nothing to publish.
func (st *Store) publish() {
	if st.node == nil {
		return
	}
	now := memReport{used: st.usedMemory()}
	for i, db := range st.dbs {
		now.dbKeys[i], now.dbVolatile[i] = int64(db.Len()), int64(len(db.expires.M))
		now.keys += now.dbKeys[i]
		now.volatile += now.dbVolatile[i]
	}
	st.node.add(&now, &st.reported)
	st.reported = now
}

// add adds now - was to the sums: only the databases that changed, so that
// shards touching different databases share no counter.
func (n *nodeMemory) add(now, was *memReport) {
	n.used.Add(now.used - was.used)
	n.keys.Add(now.keys - was.keys)
	n.volatile.Add(now.volatile - was.volatile)
	for i := range numDBs {
		if d := now.dbKeys[i] - was.dbKeys[i]; d != 0 {
			n.dbKeys[i].Add(d)
		}
		if d := now.dbVolatile[i] - was.dbVolatile[i]; d != 0 {
			n.dbVolatile[i].Add(d)
		}
	}
}

// unpublish takes the Store's data out of its node's sums: its grain is
// leaving the node (the data goes with it).
func (st *Store) unpublish() {
	if st.node == nil {
		return
	}
	st.node.add(&memReport{}, &st.reported)
	st.reported = memReport{}
}

// limited is the used memory -maxmemory is compared with: the Store's own,
// or, in a shard grain, its node's.
func (st *Store) limited() int64 {
	if st.node == nil {
		return st.usedMemory()
	}
	st.publish()
	return st.node.used.Load()
}

// othersEvictable says whether the node's other shards hold keys policy may
// evict.
func (st *Store) othersEvictable(policy int) bool {
	if st.node == nil {
		return false
	}
	st.publish()
	if policy <= policyVolatileTTL {
		return st.node.volatile.Load() > st.reported.volatile
	}
	return st.node.keys.Load() > st.reported.keys
}

// stuck is Store.stuck for the node: over -maxmemory with nothing any of
// its shards' policy may evict. MULTI then refuses to queue (server.oom),
// as on one node.
func (n *nodeMemory) stuck(cfg *config) bool {
	max := cfg.maxMemory.Load()
	if max <= 0 || n.used.Load() <= max {
		return false
	}
	switch policy := int(cfg.policy.Load()); {
	case policy == policyNoEviction:
		return true
	case policy <= policyVolatileTTL:
		return n.volatile.Load() == 0
	default:
		return n.keys.Load() == 0
	}
}

// stuck says whether the data is over -maxmemory with nothing to evict: the
// Store's, or in cluster mode (a shard grain, or the node's own key space,
// which holds no key then) the node's shards'.
func (k *keySpace) stuck() bool {
	if k.st.node != nil || k.srv.clustered.Load() {
		return k.srv.shardMem.stuck(k.srv.cfg)
	}
	return k.st.stuck()
}

// askOthersToEvict sends evictMore to every other shard grain of the node.
func (n *nodeMemory) askOthersToEvict(ctx actor.Context) {
	self := ctx.Self().Id
	n.grains.Range(func(id, pid any) bool {
		if id != self {
			ctx.Send(pid.(*actor.PID), &evictMore{})
		}
		return true
	})
}
