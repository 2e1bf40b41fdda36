package etcdmembers

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"async_server/cluster/clustertest"
)

// TestFormation ensures that nodes started one after another each see every
// node, under its actor system's ID, and that a node's Shutdown removes it from
// the others' member lists at once (its lease is revoked), not after the TTL.
func TestFormation(t *testing.T) {
	etcd := startEtcd(t)
	nodes := make([]*testNode, 3)
	for i := range nodes {
		nodes[i] = newTestNode(t, "formation", etcd.URL, 3*time.Second)
		if !nodes[i].p.Fenced() {
			t.Fatalf("node %d: Fenced() = false before StartMember; want true", i)
		}
		nodes[i].start(t)
		if nodes[i].p.Fenced() {
			t.Fatalf("node %d: Fenced() = true just after StartMember; want false", i)
		}
	}
	for i, n := range nodes {
		took := waitFor(t, 5*time.Second, "formation", func() bool { return n.sees(nodes...) })
		t.Logf("node %d saw all 3 after %v", i, took)
	}

	if err := nodes[2].p.Shutdown(true); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if !nodes[2].p.Fenced() {
		t.Fatal("Fenced() = false after Shutdown; want true")
	}
	for i, n := range nodes[:2] {
		took := waitFor(t, 500*time.Millisecond, "leave seen", func() bool { return n.sees(nodes[:2]...) })
		t.Logf("node %d saw node 2 leave after %v", i, took)
	}
	select {
	case r := <-nodes[2].lost:
		t.Fatalf("OnLeaseLost(%v) after Shutdown; want no call", r.err)
	default:
	}
}

// TestSimultaneousStarts ensures that nodes that all start at once converge:
// every one of 20 sees all 20. The stock provider watched from "now" after its
// read, so a node registering in between was missed (3 of 20 starts left a
// node alone in the probe).
func TestSimultaneousStarts(t *testing.T) {
	etcd := startEtcd(t)
	const count = 20
	nodes := make([]*testNode, count)
	for i := range nodes {
		nodes[i] = newTestNode(t, "simultaneous", etcd.URL, 3*time.Second)
	}
	var wg sync.WaitGroup
	errs := make(chan error, count)
	gate := make(chan struct{})
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			if err := n.p.StartMember(n.c); err != nil {
				errs <- err
			}
		}()
	}
	released := time.Now()
	close(gate)
	wg.Wait()
	startsTook := time.Since(released)
	close(errs)
	for err := range errs {
		t.Fatalf("StartMember: %v", err)
	}
	waitFor(t, 10*time.Second, "20 simultaneous starts converge", func() bool {
		for _, n := range nodes {
			if !n.sees(nodes...) {
				return false
			}
		}
		return true
	})
	t.Logf("%d StartMembers returned within %v of their release; all saw all %d within %v of it",
		count, startsTook, count, time.Since(released))
}

// TestJoinBetweenReadAndWatch ensures that a node registering after another
// node's read of the members, but before that node's watch has started, is
// seen: the watch starts from the read's revision + 1. (Watching from "now",
// as the stock provider did, misses it, and the two nodes disagree for good.)
func TestJoinBetweenReadAndWatch(t *testing.T) {
	etcd := startEtcd(t)
	a := newTestNode(t, "window", etcd.URL, 3*time.Second)
	b := newTestNode(t, "window", etcd.URL, 3*time.Second)
	a.p.betweenReadAndWatch = func() { b.start(t) }
	a.start(t)
	took := waitFor(t, 5*time.Second, "the first node sees the second", func() bool { return a.sees(a, b) })
	waitFor(t, 5*time.Second, "the second node sees the first", func() bool { return b.sees(a, b) })
	t.Logf("seen after %v", took)
}

// TestUnreachableAtStart ensures that New fails within DialTimeout, with an
// error wrapping ErrUnreachable, when etcd refuses connections and when its
// address accepts them but never answers (a black hole).
func TestUnreachableAtStart(t *testing.T) {
	refused := clustertest.FreeAddr(t)
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close() // the kernel accepts into the backlog; nothing reads or answers
	const dial = 500 * time.Millisecond
	for _, tc := range []struct{ name, url string }{
		{"refused", "http://" + refused},
		{"black hole", "http://" + hole.Addr().String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Endpoints, cfg.DialTimeout = []string{tc.url}, dial
			cfg.OnLeaseLost = func(error) {}
			start := time.Now()
			p, err := New(cfg)
			took := time.Since(start)
			if err == nil {
				p.Shutdown(true)
				t.Fatal("New succeeded; want an error")
			}
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("New: %v; want an error wrapping ErrUnreachable", err)
			}
			if took > 10*dial { // the stock provider never returned: any bound tells
				t.Fatalf("New took %v; want about DialTimeout (%v)", took, dial)
			}
			t.Logf("New failed after %v: %v", took, err)
		})
	}
}

// TestStartMemberBoundedWhenEtcdGone ensures that StartMember, too, returns
// within DialTimeout (the stock provider's hung) when etcd dies between New
// and StartMember.
func TestStartMemberBoundedWhenEtcdGone(t *testing.T) {
	etcd := startEtcd(t)
	n := newTestNode(t, "gone", etcd.URL, 3*time.Second)
	etcd.Kill()
	n.p.cfg.DialTimeout = 500 * time.Millisecond
	start := time.Now()
	err := n.p.StartMember(n.c)
	took := time.Since(start)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("StartMember: %v; want an error wrapping ErrUnreachable", err)
	}
	if took > 10*n.p.cfg.DialTimeout { // the stock provider hung: any bound tells
		t.Fatalf("StartMember took %v; want about DialTimeout (500ms)", took)
	}
	t.Logf("StartMember failed after %v", took)
}
