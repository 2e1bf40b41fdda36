package observatory

import (
	"fmt"
	"testing"
	"time"

	"async_server/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

func newTestHub() *Hub { return New(Options{Keep: 4, Budget: 3, Window: time.Minute}) }

func open(h *Hub, id, remote string) *Stats {
	s := &Stats{}
	h.Opened(Conn{ID: id, Listener: "127.0.0.1:1", Behavior: "echo", Remote: remote, Stats: s})
	return s
}

// TestNilHub: a server without observation calls every report on a nil hub.
func TestNilHub(t *testing.T) {
	var h *Hub
	h.Logger("logger")
	h.Listening("a", "c", "l", "echo")
	h.Opened(Conn{ID: "conn-1"})
	h.Decided(Event{Actor: "conn-1"})
	h.Closed("conn-1", "x")
	h.LogWritten()
	if _, _, _, ok := h.Find("random"); ok {
		t.Error("a nil hub found a target")
	}
	if n := h.Tree(); n.Name != "root" || len(n.Children) != 0 {
		t.Errorf("nil hub tree: %+v", n)
	}
}

// TestTreeFollowsReports: connections appear under their connection
// supervisor (beside their acceptor, which has no children) in accept order,
// carry their counters and restarts, and go when closed; a decision about the
// supervisor counts against its own budget.
func TestTreeFollowsReports(t *testing.T) {
	h := newTestHub()
	h.Logger("logger")
	h.Service("rooms")
	h.Listening("acceptor-127.0.0.1:1", "conns-127.0.0.1:1", "127.0.0.1:1", "echo")
	for i := 10; i >= 1; i-- { // the tree orders by number, not by report order
		open(h, fmt.Sprintf("conn-%d", i), fmt.Sprintf("10.0.0.1:%d", i))
	}
	s := open(h, "conn-11", "10.0.0.1:11")
	s.In.Add(5)
	s.Out.Add(7)
	h.Decided(Event{Actor: "conn-11", ActorKind: KindConnection, Category: "Internal", Directive: "Restart"})
	h.Closed("conn-3", "peer closed")
	h.Decided(Event{Actor: "conns-127.0.0.1:1", ActorKind: KindConns, Category: "Internal", Directive: "Restart"})

	tree := h.Tree()
	kinds := []string{}
	for _, c := range tree.Children {
		kinds = append(kinds, c.Kind)
	}
	if fmt.Sprint(kinds) != "[logger services acceptor connections]" {
		t.Fatalf("root's children: %v", kinds)
	}
	if a := tree.Children[2]; a.Name != "acceptor-127.0.0.1:1" || len(a.Children) != 0 || a.Connections != 0 || a.Restarts != 0 {
		t.Errorf("acceptor: %+v", a)
	}
	sup := tree.Children[3]
	if sup.Name != "conns-127.0.0.1:1" || sup.Listener != "127.0.0.1:1" || sup.Behavior != "echo" ||
		sup.Connections != 10 || sup.Restarts != 1 || sup.Budget != 3 ||
		sup.LastDecision == nil || sup.LastDecision.Listener != "127.0.0.1:1" {
		t.Errorf("connection supervisor: %+v", sup)
	}
	if svc := tree.Children[1].Children; len(svc) != 1 || svc[0].Name != "rooms" {
		t.Errorf("services: %+v", svc)
	}
	conns := sup.Children
	if len(conns) != 10 {
		t.Fatalf("%d connections, want 10", len(conns))
	}
	names := []string{}
	for _, c := range conns {
		names = append(names, c.Name)
	}
	if fmt.Sprint(names) != "[conn-1 conn-2 conn-4 conn-5 conn-6 conn-7 conn-8 conn-9 conn-10 conn-11]" {
		t.Errorf("order: %v", names)
	}
	last := conns[9]
	if last.BytesIn != 5 || last.BytesOut != 7 || last.Restarts != 1 || last.Budget != 3 ||
		last.LastDecision == nil || last.LastDecision.Remote != "10.0.0.1:11" || last.Behavior != "echo" {
		t.Errorf("conn-11: %+v", last)
	}
}

// TestFindTargets: a connection by ID or remote, other actors by name or
// listener, random only among connections; never a connection supervisor,
// which takes no injected faults.
func TestFindTargets(t *testing.T) {
	h := newTestHub()
	h.Logger("logger")
	h.Listening("acceptor-127.0.0.1:1", "conns-127.0.0.1:1", "127.0.0.1:1", "echo")
	open(h, "conn-1", "10.0.0.1:5")
	for target, want := range map[string]string{
		"conn-1": KindConnection, "10.0.0.1:5": KindConnection, "random": KindConnection,
		"logger": KindLogger, "acceptor-127.0.0.1:1": KindAcceptor, "127.0.0.1:1": KindAcceptor,
	} {
		if _, kind, _, ok := h.Find(target); !ok || kind != want {
			t.Errorf("Find(%q) = %q, %v; want %q", target, kind, ok, want)
		}
	}
	h.Closed("conn-1", "peer closed")
	for _, target := range []string{"conn-1", "10.0.0.1:5", "random", "nonsense", "conns-127.0.0.1:1"} {
		if _, _, _, ok := h.Find(target); ok {
			t.Errorf("Find(%q) found something", target)
		}
	}
}

// TestRecentAndSubscribe: the ring keeps the last Keep events in order; a
// subscriber gets what comes after, and one that falls behind is dropped
// (its channel closed, Lagged set), never blocking the publisher.
func TestRecentAndSubscribe(t *testing.T) {
	h := newTestHub()
	sub, missed := h.Subscribe(0, 2)
	if len(missed) != 0 {
		t.Fatalf("missed %d events before any", len(missed))
	}
	for i := 1; i <= 6; i++ {
		open(h, fmt.Sprintf("conn-%d", i), fmt.Sprintf("r%d", i))
	}
	got := []uint64{}
	for _, e := range h.Recent(0) {
		got = append(got, e.Seq)
	}
	if fmt.Sprint(got) != "[3 4 5 6]" {
		t.Errorf("Recent(0) = %v, want the last 4", got)
	}
	if after := h.Recent(5); len(after) != 1 || after[0].Seq != 6 {
		t.Errorf("Recent(5) = %+v", after)
	}
	n := 0
	timeout := time.After(10 * time.Second)
drain: // until the hub closes the channel of the subscriber it dropped
	for {
		select {
		case _, ok := <-sub.C:
			if !ok {
				break drain
			}
			n++
		case <-timeout:
			t.Fatalf("the slow subscriber's channel is still open after %d events: it was not dropped", n)
		}
	}
	if n != 2 || !sub.Lagged {
		t.Errorf("slow subscriber got %d events, lagged %v: want 2 and dropped", n, sub.Lagged)
	}
	sub.Close() // after the drop: harmless
	s2, resumed := h.Subscribe(4, 8)
	defer s2.Close()
	if len(resumed) != 2 || resumed[0].Seq != 5 {
		t.Errorf("resume after 4: %+v", resumed)
	}
}

// TestRestartsLeaveTheWindow: restarts older than the window no longer count.
func TestRestartsLeaveTheWindow(t *testing.T) {
	h := New(Options{Budget: 3, Window: time.Second}) // wide enough that no GC pause ages the restart out before it is counted
	h.Listening("a", "c", "127.0.0.1:1", "echo")
	open(h, "conn-1", "r")
	h.Decided(Event{Actor: "conn-1", ActorKind: KindConnection, Directive: "Restart"})
	conn := func() *Node { return h.Tree().Children[2].Children[0] }
	if r := conn().Restarts; r != 1 {
		t.Fatalf("restarts %d, want 1", r)
	}
	deadline := time.Now().Add(10 * time.Second) // the window and then some
	for conn().Restarts != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a restart older than the window still counts")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not a guess
	}
}

// TestTreeUpTo: a limited tree lists the oldest connections of each listener
// and still counts them all.
func TestTreeUpTo(t *testing.T) {
	h := newTestHub()
	h.Listening("acceptor-127.0.0.1:1", "conns-127.0.0.1:1", "127.0.0.1:1", "echo")
	for i := 1; i <= 5; i++ {
		open(h, fmt.Sprintf("conn-%d", i), fmt.Sprintf("r%d", i))
	}
	a := h.TreeUpTo(2).Children[2]
	if a.Connections != 5 || len(a.Children) != 2 || a.Children[0].Name != "conn-1" || a.Children[1].Name != "conn-2" {
		t.Errorf("TreeUpTo(2): %d connections, children %+v", a.Connections, a.Children)
	}
	if all := h.Tree().Children[2]; all.Connections != 5 || len(all.Children) != 5 {
		t.Errorf("Tree: %d connections, %d children", all.Connections, len(all.Children))
	}
}

// TestRandomPicksLiveOnly: a random target is always a live connection,
// however connections came and went.
func TestRandomPicksLiveOnly(t *testing.T) {
	h := newTestHub()
	for i := 1; i <= 5; i++ {
		open(h, fmt.Sprintf("conn-%d", i), fmt.Sprintf("r%d", i))
	}
	h.Closed("conn-2", "peer closed")
	h.Closed("conn-5", "peer closed")
	seen := map[string]bool{}
	for range 200 {
		name, _, _, ok := h.Find("random")
		if !ok || name == "conn-2" || name == "conn-5" {
			t.Fatalf("random picked %q (%v)", name, ok)
		}
		seen[name] = true
	}
	if len(seen) != 3 {
		t.Errorf("random picked %v over 200 tries; want each of the 3 live ones", seen)
	}
}

// TestSubscribers ensures Subscribers counts the live subscriptions: not one
// closed, nor one dropped for falling behind (what admin's tests wait on to
// know a stream no longer reads).
func TestSubscribers(t *testing.T) {
	h := newTestHub()
	slow, _ := h.Subscribe(0, 1)
	done, _ := h.Subscribe(0, 8)
	if n := h.Subscribers(); n != 2 {
		t.Fatalf("Subscribers() = %d with two; want 2", n)
	}
	done.Close()
	open(h, "conn-1", "127.0.0.1:5000")
	open(h, "conn-2", "127.0.0.1:5001") // slow has room for one: dropped
	if n := h.Subscribers(); n != 0 || !slow.Lagged {
		t.Errorf("Subscribers() = %d, lagged %v after one closed and one dropped; want 0, true", n, slow.Lagged)
	}
	if n := (*Hub)(nil).Subscribers(); n != 0 {
		t.Errorf("nil hub: Subscribers() = %d; want 0", n)
	}
}
