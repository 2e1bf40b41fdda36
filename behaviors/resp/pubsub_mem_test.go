package resp

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// subscriptionCost measures the heap a pub/sub subscription holds: clients
// connections each subscribe to perClient channels (distinct names, unless
// shared: then all to the same ones), as SUBSCRIBE does it, one name a
// command. broker is the Broker's index alone; total adds what the
// connections keep for themselves (their subscriptions) and the names'
// bytes, as a server holds them. Both are in bytes per subscription.
func subscriptionCost(clients, perClient int, shared bool) (broker, total float64) {
	pids := make([]*actor.PID, clients)
	for i := range pids {
		pids[i] = actor.NewPID("nonhost", "conn/$"+strconv.Itoa(i))
	}
	n := float64(clients * perClient)
	base := heapAfterGC()
	names := make([]string, perClient*clients)
	for i := range names {
		if shared {
			names[i] = "channel:" + strconv.Itoa(i%perClient)
		} else {
			names[i] = "channel:" + strconv.Itoa(i)
		}
	}
	own := make([]subscriptions, clients)
	withNames := heapAfterGC()
	b := NewBroker()
	for c, pid := range pids {
		for _, name := range names[c*perClient : (c+1)*perClient] {
			b.subscribe(pid, subChannel, []string{name})
		}
	}
	brokerDone := heapAfterGC()
	for c := range own {
		for _, name := range names[c*perClient : (c+1)*perClient] {
			own[c].names[subChannel].add(name)
		}
	}
	all := heapAfterGC()
	runtime.KeepAlive(b)
	runtime.KeepAlive(own)
	runtime.KeepAlive(pids)
	broker = float64(brokerDone-withNames) / n
	total = (float64(all-base) - float64(8*len(names))) / n // the names' slice is the test's own
	return broker, total
}

func heapAfterGC() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestSubscriptionMemory bounds what the broker holds per subscription:
// one connection subscribed to 100 000 channels, 10 000 connections each
// subscribed to its own channel, and 10 000 to the same one. The bounds are
// generous (measured: see docs/resp.md, "Pub/sub memory": about 110, 215
// and 155 bytes); the broker's old index, a map of maps keyed by PID id
// strings plus a set per client of its names, took 326, 631 and 375.
func TestSubscriptionMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap: -short")
	}
	cases := []struct {
		name              string
		clients, channels int
		shared            bool
		max               float64
	}{
		{"1x100000", 1, 100_000, false, 200},
		{"10000x1", 10_000, 1, false, 350},
		{"10000x1-same", 10_000, 1, true, 250},
	}
	for _, tc := range cases {
		broker, total := subscriptionCost(tc.clients, tc.channels, tc.shared)
		t.Logf("%s: broker %.0f bytes per subscription, with the connections' own sets and the names %.0f", tc.name, broker, total)
		if broker > tc.max {
			t.Errorf("%s: broker holds %.0f bytes per subscription; want at most %.0f", tc.name, broker, tc.max)
		}
	}
}
