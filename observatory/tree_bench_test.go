package observatory

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkChurnWhileTree measures what a connection's open and close cost
// the hub (their reports, on the connection's and its supervisor's
// goroutines) while four viewers build the dashboard's tree (TreeUpTo(200))
// of 12 000 connections without pause. The reports wait for the hub's lock:
// when a tree ordered the connections under it, 0.6-1.5 ms an open and
// close (the supervisor, which also spawns the next connections, waiting as
// long); with only their gathering under it, 1 us to 0.6 ms (2 vCPUs, load
// 7-8: five runs of each, 100 to 500 iterations).
func BenchmarkChurnWhileTree(b *testing.B) {
	h := New(Options{})
	h.Listening("acceptor-x", "conns-x", "x", "echo")
	for i := range 12000 {
		id := fmt.Sprintf("conn-%d", i+1)
		h.Opened(Conn{ID: id, Listener: "x", Behavior: "echo", Remote: id, Stats: &Stats{}})
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				h.TreeUpTo(200)
			}
		})
	}
	i := 20000
	for b.Loop() {
		i++
		id := fmt.Sprintf("conn-%d", i)
		h.Opened(Conn{ID: id, Listener: "x", Behavior: "echo", Remote: id, Stats: &Stats{}})
		h.Closed(id, "peer closed")
	}
	stop.Store(true)
	wg.Wait()
}
