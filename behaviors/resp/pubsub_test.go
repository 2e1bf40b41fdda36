package resp

import (
	"slices"
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
		if len(b.names[k]) != 0 {
			t.Fatalf("kind %d not empty: %v", k, b.names[k])
		}
	}
	if len(b.clients) != 0 {
		t.Fatalf("clients left: %v", b.clients)
	}
}
