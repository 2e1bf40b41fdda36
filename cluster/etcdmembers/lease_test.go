package etcdmembers

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// The lease tests use etcd's shortest lease, 1 s (startEtcd's election
// timeout allows it).
const shortTTL = time.Second

// TestLeaseLostWhenEtcdStops ensures that a node whose etcd is gone (SIGKILL)
// has shut its fence 3/4 of the TTL after its last acknowledged keep-alive
// and reports the loss to OnLeaseLost within the TTL after it.
func TestLeaseLostWhenEtcdStops(t *testing.T) {
	etcd := startEtcd(t)
	n := newTestNode(t, "etcd-stops", etcd.URL, shortTTL)
	n.start(t)
	etcd.Kill()
	killed := time.Now()
	// The last acknowledged keep-alive was sent before the kill, so the fence
	// is shut 3/4 TTL after the kill at the latest, however late this
	// goroutine runs: look then.
	<-time.After(time.Until(killed.Add(shortTTL * 3 / 4)))
	if !n.p.Fenced() {
		t.Errorf("Fenced() = false 3/4 TTL (%v) after etcd died; want true", shortTTL*3/4)
	}
	shut := n.p.lastAckSent().Add(n.p.ttl * 3 / 4)
	_, lostAt := n.waitLost(t, 3*shortTTL)
	t.Logf("etcd killed: fence shut %v after, OnLeaseLost %v after", shut.Sub(killed), lostAt.Sub(killed))
	if d := lostAt.Sub(killed); d > shortTTL+200*time.Millisecond {
		t.Errorf("OnLeaseLost %v after etcd died; want within the TTL (%v) of the last acknowledgement", d, shortTTL)
	}
}

// TestStalledKeepAliveFencesBeforePeersDrop ensures the fence's promise: a
// node whose keep-alives stop being acknowledged (stalled here in-process)
// drops grain messages before any other node can have dropped it (and so
// activated its grains), then reports the loss.
func TestStalledKeepAliveFencesBeforePeersDrop(t *testing.T) {
	etcd := startEtcd(t)
	a := newTestNode(t, "stall", etcd.URL, shortTTL)
	var stalled atomic.Bool
	real := a.p.keepAliveOnce
	a.p.keepAliveOnce = func(ctx context.Context, id clientv3.LeaseID) error {
		if stalled.Load() {
			<-ctx.Done()
			return ctx.Err()
		}
		return real(ctx, id)
	}
	userMessages := grainWithFence(t, a)
	a.start(t)
	b := newTestNode(t, "stall", etcd.URL, shortTTL)
	b.start(t)
	waitFor(t, 5*time.Second, "formation", func() bool { return a.sees(a, b) && b.sees(a, b) })
	if got := userMessages(3); got != 3 {
		t.Fatalf("grain got %d of 3 messages before the stall; want 3", got)
	}

	stalled.Store(true)
	stallAt := time.Now()
	waitFor(t, 2*shortTTL, "fenced", a.p.Fenced)
	if got := userMessages(3); got != 0 {
		t.Fatalf("fenced grain got %d of 3 messages; want 0", got)
	}
	if a.p.Dropped() != 3 {
		t.Errorf("Dropped() = %d; want 3", a.p.Dropped())
	}
	// etcd drops the key in its own time: it looks for expired leases every
	// 500 ms and revokes them through raft; seconds on a loaded machine. The
	// promise checked is the order, fence first, not etcd's speed.
	waitFor(t, 10*shortTTL, "peer drops the stalled node", func() bool { return b.sees(b) })
	droppedAt := b.changedAt() // when b's member list dropped a, to the event
	shutAt := a.p.lastAckSent().Add(a.p.ttl * 3 / 4)
	_, lostAt := a.waitLost(t, 3*shortTTL)
	t.Logf("after the stall: fence shut %v, peer dropped it %v, OnLeaseLost %v",
		shutAt.Sub(stallAt), droppedAt.Sub(stallAt), lostAt.Sub(stallAt))
	if !shutAt.Before(droppedAt) {
		t.Errorf("fence shut %v, peer dropped the node %v after the stall; want the fence first",
			shutAt.Sub(stallAt), droppedAt.Sub(stallAt))
	}
}

// TestLeaseLostWhenKeyDeleted ensures that a node whose key is deleted (an
// operator's etcdctl del, a revoke elsewhere) fences and reports it at once,
// from the watch, without waiting for its next keep-alive; and that
// OnLeaseLost may call Shutdown itself, as a node may, without deadlock.
func TestLeaseLostWhenKeyDeleted(t *testing.T) {
	etcd := startEtcd(t)
	n := newTestNode(t, "deleted", etcd.URL, 3*time.Second)
	n.onLost = func() { _ = n.p.Shutdown(true) }
	n.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := n.p.client.Delete(ctx, n.p.key); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, lostAt := n.waitLost(t, time.Second) // well under the 3 s TTL
	if !n.p.Fenced() {
		t.Error("Fenced() = false after the loss; want true")
	}
	t.Logf("OnLeaseLost %v after the delete", lostAt.Sub(start))
}

// grainWithFence spawns an actor behind n's Fence and returns a function that
// sends it k user messages, then a PoisonPill (which passes the fence), waits
// for it to stop and says how many of the k it handled. The mailbox keeps
// order, so the count is exact. Each call spawns a fresh actor.
func grainWithFence(t testing.TB, n *testNode) func(k int) int {
	return func(k int) int {
		t.Helper()
		var got atomic.Int32
		props := actor.PropsFromFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(string); ok {
				got.Add(1)
			}
		}, actor.WithReceiverMiddleware(n.p.Fence))
		pid := n.sys.Root.Spawn(props)
		for i := 0; i < k; i++ {
			n.sys.Root.Send(pid, "hello")
		}
		if err := n.sys.Root.PoisonFuture(pid).Wait(); err != nil {
			t.Fatalf("poison: %v", err)
		}
		return int(got.Load())
	}
}

// TestBriefEtcdStallLosesNothing ensures that etcd unresponsive for well
// under the TTL (SIGSTOP 0.6 s, TTL 2 s) costs a node nothing: once etcd
// answers again the keep-alive is acknowledged, the fence is open, the
// members are unchanged and OnLeaseLost was not called.
func TestBriefEtcdStallLosesNothing(t *testing.T) {
	etcd := startEtcd(t)
	a := newTestNode(t, "brief", etcd.URL, 2*time.Second)
	a.start(t)
	b := newTestNode(t, "brief", etcd.URL, 2*time.Second)
	b.start(t)
	waitFor(t, 5*time.Second, "formation", func() bool { return a.sees(a, b) && b.sees(a, b) })
	etcd.Signal(t, syscall.SIGSTOP)
	stopped := time.Now()
	<-time.After(600 * time.Millisecond) // the stall being tested
	etcd.Signal(t, syscall.SIGCONT)
	resumed := time.Now()
	for _, n := range []*testNode{a, b} {
		took := waitFor(t, 2*time.Second, "a keep-alive acknowledged after the stall", func() bool {
			return n.p.lastAckSent().After(resumed)
		})
		if n.p.Fenced() {
			t.Errorf("Fenced() = true after a fresh acknowledgement; want false")
		}
		if !n.sees(a, b) {
			t.Errorf("members %v after the stall; want both", n.memberIDs())
		}
		select {
		case r := <-n.lost:
			t.Errorf("OnLeaseLost(%v) after a %v etcd stall; want no call", r.err, resumed.Sub(stopped))
		default:
		}
		t.Logf("acknowledged %v after SIGCONT", took)
	}
}
