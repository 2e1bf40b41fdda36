package resp

import (
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// TestEndedSubscribersGiveBackTheirMaps ensures the broker's index gives
// back its heap once its subscribers have gone, as the key space's record of
// connections does (TestEndedClientsGiveBackTheirMap): a Go map never
// shrinks, and these are walked (PUBLISH walks the patterns) and sized by
// the most the broker ever held. One connection left, with one subscription.
func TestEndedSubscribersGiveBackTheirMaps(t *testing.T) {
	const n = 100_000
	for _, tc := range []struct {
		name string
		pids int // connections; each subscribes to n/pids names of its own
		kind subKind
	}{
		{"100000 connections, a channel each", n, subChannel},
		{"one connection, 100000 channels", 1, subChannel},
		{"one connection, 100000 patterns", 1, subPattern},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept, full := subscribedAndGone(tc.pids, n/tc.pids, tc.kind)
			t.Logf("%d bytes with all of them, %d kept", full, kept)
			if kept > 256<<10 {
				t.Errorf("%d bytes kept once gone (%d with all of them), over 256 KiB", kept, full)
			}
		})
	}
}

// subscribedAndGone subscribes pids connections to each names names of kind
// k, forgets them all, and returns the heap kept then (a new connection
// subscribed to one name), and the heap with all of them.
func subscribedAndGone(pids, each int, k subKind) (kept, full int64) {
	b := NewBroker()
	before := heapAfterGC()
	for i := range pids {
		pid := &actor.PID{Id: "conn-" + strconv.Itoa(i)}
		names := make([]string, each)
		for j := range names {
			names[j] = "ch-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
		}
		b.subscribe(pid, k, names)
	}
	full = heapAfterGC() - before
	for i := range pids {
		b.forget("conn-" + strconv.Itoa(i))
	}
	b.subscribe(&actor.PID{Id: "last"}, k, []string{"last"})
	kept = heapAfterGC() - before
	if len(b.clients.M) != 1 || b.count(k, "last") != 1 {
		panic("the last subscriber is not the one left")
	}
	return kept, full
}

// TestLeftSubscribersGiveBackTheirIndex ensures a channel's index of its
// subscribers (past fewSubscribers) gives back its heap once most have left:
// 100 000 subscribers of one channel, all but 20 gone.
func TestLeftSubscribersGiveBackTheirIndex(t *testing.T) {
	const n, left = 100_000, 20
	b := NewBroker()
	before := heapAfterGC()
	for i := range n {
		b.subscribe(&actor.PID{Id: "conn-" + strconv.Itoa(i)}, subChannel, []string{"ch"})
	}
	full := heapAfterGC() - before
	for i := left; i < n; i++ {
		b.forget("conn-" + strconv.Itoa(i))
	}
	kept := heapAfterGC() - before
	if got := b.count(subChannel, "ch"); got != left || len(b.clients.M) != left { // and b is live until here
		t.Fatalf("%d subscribers of ch, %d clients left; want %d", got, len(b.clients.M), left)
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d subscribers of a channel, %d left: %d bytes kept (%d with all of them), over 256 KiB", n, left, kept, full)
	}
}
