package actors

import (
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// TestCompactRegistry ensures a server's actor system has registryBuckets
// registry maps, that what protoactor registered before the swap is still
// found there, and that actors are registered and served as before.
func TestCompactRegistry(t *testing.T) {
	srv, c := echoServer(t, 0)
	if got := len(srv.sys.ProcessRegistry.LocalPIDs.LocalPIDs); got != registryBuckets {
		t.Fatalf("%d registry maps; want %d", got, registryBuckets)
	}
	for _, id := range []string{"deadletter", "eventstream"} {
		if _, ok := srv.sys.ProcessRegistry.GetLocal(id); !ok {
			t.Errorf("%s is not in the compacted registry", id)
		}
	}
	echoOnce(t, c, []byte("ping"))
}

// TestCompactRegistryEntryCost ensures what the compaction is for: a
// registered actor costs the registry a fraction of the heap it holds in
// protoactor's sparse default (a map group of its own per actor).
func TestCompactRegistryEntryCost(t *testing.T) {
	const n = 10000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("root/acceptor-1/conn-%d", i)
	}
	perEntry := func(compact bool) float64 {
		sys := actor.NewActorSystem(actor.WithLoggerFactory(discardLogger))
		if compact {
			compactRegistry(sys)
		}
		var before, after runtime.MemStats
		// Twice: sync.Pools (the mailboxes' queue nodes) keep what was put
		// back for one collection more, as victims, and their freeing must
		// not fall inside the measurement.
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, id := range ids {
			sys.ProcessRegistry.Add(sys.DeadLetter, id) // its PID, which is not kept, is garbage
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(sys)
		return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	}
	dflt, compact := perEntry(false), perEntry(true)
	t.Logf("bytes the registry holds per registered actor: default %.0f, compacted %.0f", dflt, compact)
	if compact > 100 || compact > dflt/2 {
		t.Errorf("compacted registry: %.0f bytes per actor (default %.0f); want at most 100 and half", compact, dflt)
	}
}

// discardLogger is an actor system's logger that writes nowhere.
func discardLogger(*actor.ActorSystem) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
