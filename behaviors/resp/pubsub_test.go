package resp

import (
	"slices"
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// TestBrokerIndex checks the broker's index through subscribe, unsubscribe
// and forget: counts, channel lists, and that nothing is left behind.
func TestBrokerIndex(t *testing.T) {
	b := NewBroker()
	p1, p2 := actor.NewPID("local", "c1"), actor.NewPID("local", "c2")
	if !b.subscribe(p1, subChannel, []string{"a", "b"}) {
		t.Fatal("first subscribe of p1 not reported new")
	}
	if b.subscribe(p1, subPattern, []string{"a*"}) {
		t.Fatal("p1 reported new twice")
	}
	b.subscribe(p2, subChannel, []string{"b"})
	b.subscribe(p2, subShard, []string{"s"})
	if got := b.channels(subChannel, nil); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("channels = %v", got)
	}
	if got := b.channels(subChannel, []byte("[b]")); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("channels [b] = %v", got)
	}
	if b.count(subChannel, "b") != 2 || b.patterns() != 1 || b.count(subShard, "s") != 1 {
		t.Fatalf("counts wrong: b %d, patterns %d", b.count(subChannel, "b"), b.patterns())
	}
	b.unsubscribe(p1, subChannel, []string{"a", "b"})
	if b.count(subChannel, "a") != 0 || b.count(subChannel, "b") != 1 {
		t.Fatal("unsubscribe all left p1 in a channel")
	}
	if !b.forget(p2.Id) || b.forget(p2.Id) {
		t.Fatal("forget p2")
	}
	b.unsubscribe(p1, subPattern, []string{"a*"})
	for k := range b.names {
		if len(b.names[k].M) != 0 {
			t.Fatalf("kind %d not empty: %v", k, b.names[k].M)
		}
	}
	if len(b.clients.M) != 0 {
		t.Fatalf("clients left: %v", b.clients.M)
	}
}

// TestBrokerManySubscribers checks a name's subscribers past fewSubscribers,
// where an index keeps their places: every one leaves (in an order unlike
// their arrival) and the count and the index stay right.
func TestBrokerManySubscribers(t *testing.T) {
	b := NewBroker()
	const n = 5 * fewSubscribers
	pids := make([]*actor.PID, n)
	for i := range pids {
		pids[i] = actor.NewPID("local", "c"+strconv.Itoa(i))
		b.subscribe(pids[i], subChannel, []string{"ch"})
	}
	for i := range n {
		p := pids[(i*7)%n] // 7 is prime to n: each once
		if !b.unsubscribe(p, subChannel, []string{"ch"}) {
			t.Fatalf("unsubscribe %d: not its last subscription", i)
		}
		if got := b.count(subChannel, "ch"); got != n-1-i {
			t.Fatalf("after %d left: count = %d; want %d", i+1, got, n-1-i)
		}
		s := b.names[subChannel].M["ch"]
		for j, c := range s.list {
			if s.at != nil && s.at[c] != int32(j) {
				t.Fatalf("after %d left: at[%s] = %d; want %d", i+1, c.pid.Id, s.at[c], j)
			}
		}
	}
	if len(b.names[subChannel].M) != 0 || len(b.clients.M) != 0 {
		t.Fatalf("left behind: %v, %v", b.names[subChannel].M, b.clients.M)
	}
}

// TestBrokerChurn checks that a connection subscribing again and again to
// what it unsubscribed from keeps a bounded list of what it holds, and is
// forgotten whole.
func TestBrokerChurn(t *testing.T) {
	b := NewBroker()
	p := actor.NewPID("local", "c")
	b.subscribe(p, subPattern, []string{"keep*"})
	for i := range 1000 {
		name := "ch" + strconv.Itoa(i%3)
		b.subscribe(p, subChannel, []string{name})
		b.unsubscribe(p, subChannel, []string{name})
		b.subscribe(p, subShard, []string{name})
	}
	c := b.clients.M[p.Id]
	if c.live != 4 || len(c.held) > 2*c.live+fewSubscribers {
		t.Fatalf("live %d, held %d: want 4, at most %d", c.live, len(c.held), 2*c.live+fewSubscribers)
	}
	if b.count(subShard, "ch2") != 1 || b.count(subChannel, "ch2") != 0 || b.patterns() != 1 {
		t.Fatal("counts wrong after churn")
	}
	if !b.forget(p.Id) {
		t.Fatal("forget: not known")
	}
	for k := range b.names {
		if len(b.names[k].M) != 0 {
			t.Fatalf("kind %d not empty: %v", k, b.names[k].M)
		}
	}
}

// TestNameSet checks a connection's set of names across fewNames, where it
// turns from a slice into a map, and back to empty.
func TestNameSet(t *testing.T) {
	var ns nameSet
	const n = 3 * fewNames
	for i := n - 1; i >= 0; i-- {
		name := "ch" + strconv.Itoa(100+i)
		if !ns.add(name) || ns.add(name) {
			t.Fatalf("add(%s): want true, then false", name)
		}
		if !ns.has(name) || ns.len() != n-i {
			t.Fatalf("after add(%s): has %v, len %d; want true, %d", name, ns.has(name), ns.len(), n-i)
		}
	}
	got := ns.sorted()
	if len(got) != n || !slices.IsSorted(got) || got[0] != "ch100" {
		t.Fatalf("sorted() = %v", got)
	}
	for i, name := range got {
		if !ns.remove(name) || ns.remove(name) || ns.has(name) || ns.len() != n-1-i {
			t.Fatalf("remove(%s): wrong, len %d", name, ns.len())
		}
	}
	if ns.many.M != nil || len(ns.few) != 0 {
		t.Fatalf("emptied set holds %v, %v", ns.few, ns.many.M)
	}
}
