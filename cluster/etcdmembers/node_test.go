package etcdmembers

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/sirupsen/logrus"
)

// testNode is one cluster member in this process: an actor system, a
// cluster.Cluster whose member list the provider feeds, and the provider.
// Remote is made but not started (no gRPC server, no goroutines left behind);
// the address is only the name the other members read.
type testNode struct {
	sys    *actor.ActorSystem
	c      *cluster.Cluster
	p      *Provider
	lost   chan lossReport // OnLeaseLost's calls (buffered: it is called once)
	onLost func()          // if set (before start), OnLeaseLost calls it first

	mu      sync.Mutex
	members []string  // the member list's last topology, sorted IDs
	changed time.Time // when it came
}

// testLog is a provider's log, written to the test's log (shown when it fails).
func testLog(t testing.TB) *logrus.Entry {
	l := logrus.New()
	l.SetOutput(testWriter{t})
	return logrus.NewEntry(l)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// lossReport is one OnLeaseLost call: its error, and when it came.
type lossReport struct {
	err error
	at  time.Time
}

var nextPort atomic.Int32

// newTestNode makes a node of cluster name on etcd at url; it is not started.
// Its provider is shut down when the test ends.
func newTestNode(t testing.TB, name, url string, ttl time.Duration) *testNode {
	t.Helper()
	n := &testNode{lost: make(chan lossReport, 1)}
	cfg := DefaultConfig()
	cfg.Endpoints, cfg.TTL, cfg.DialTimeout = []string{url}, ttl, 5*time.Second
	cfg.Log = testLog(t)
	cfg.OnLeaseLost = func(err error) {
		at := time.Now()
		if n.onLost != nil {
			n.onLost()
		}
		n.lost <- lossReport{err, at}
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	n.p = p
	t.Cleanup(func() { _ = p.Shutdown(true) })
	n.sys = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	port := 20000 + int(nextPort.Add(1))
	n.c = cluster.New(n.sys, cluster.Configure(name, p, nil, remote.Configure("127.0.0.1", port)))
	n.sys.ProcessRegistry.Address = fmt.Sprintf("127.0.0.1:%d", port)
	n.c.Remote = remote.NewRemote(n.sys, n.c.Config.RemoteConfig)
	n.sys.EventStream.Subscribe(func(evt interface{}) {
		if topo, ok := evt.(*cluster.ClusterTopology); ok {
			ids := make([]string, 0, len(topo.Members))
			for _, m := range topo.Members {
				ids = append(ids, m.Id)
			}
			sort.Strings(ids)
			n.mu.Lock()
			n.members, n.changed = ids, time.Now()
			n.mu.Unlock()
		}
	})
	return n
}

func (n *testNode) start(t testing.TB) {
	t.Helper()
	if err := n.p.StartMember(n.c); err != nil {
		t.Fatalf("StartMember: %v", err)
	}
}

func (n *testNode) memberIDs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.members
}

// changedAt is when n's member list last changed.
func (n *testNode) changedAt() time.Time {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.changed
}

// sees reports whether n's member list is exactly the actor system IDs of nodes.
func (n *testNode) sees(nodes ...*testNode) bool {
	want := make([]string, len(nodes))
	for i, o := range nodes {
		want[i] = o.sys.ID
	}
	sort.Strings(want)
	return slices.Equal(n.memberIDs(), want)
}

// waitFor polls cond until it holds or within passes; it returns how long it
// took, or fails the test naming what.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start)
}

// waitLost waits for OnLeaseLost and checks its error wraps ErrLeaseLost.
func (n *testNode) waitLost(t testing.TB, within time.Duration) (error, time.Time) {
	t.Helper()
	select {
	case r := <-n.lost:
		if !errors.Is(r.err, ErrLeaseLost) {
			t.Fatalf("OnLeaseLost(%v); want an error wrapping ErrLeaseLost", r.err)
		}
		return r.err, r.at
	case <-time.After(within):
		t.Fatalf("OnLeaseLost not called within %v", within)
		return nil, time.Time{}
	}
}
