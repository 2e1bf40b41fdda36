package resp_test

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"async_server/actors"
)

// TestMultiQueueCountsInBudget ensures what a transaction's queue holds
// (the reads its commands' arguments are slices of, their slots, its
// entries) counts as its connection's for the memory budget: a client
// queueing 100 000 SETs after MULTI, without EXEC, against a budget of
// 4 MiB is closed once the total passes three quarters of it: the budget
// would pause a connection holding that much, but one holding half the
// budget alone would never be read again, and is closed instead.
// Uncounted, the queue took them all (+QUEUED 100 000 times, about 17 MiB
// here) while the budget saw only the input being parsed; 3 million took
// 620 MB of resident memory under -memory-budget 64mb.
func TestMultiQueueCountsInBudget(t *testing.T) {
	const budget, sets = 4 << 20, 100_000
	srv := startResp(t, func(c *actors.Config) { c.MemoryBudget = budget })
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var queued atomic.Int64
	done := make(chan error, 1)
	go func() { // the replies: +OK to MULTI, then +QUEUED each
		r := bufio.NewReader(c)
		for i := 0; i <= sets; i++ {
			line, err := r.ReadString('\n')
			if err != nil {
				done <- err
				return
			}
			if want := map[bool]string{true: "+OK\r\n", false: "+QUEUED\r\n"}[i == 0]; line != want {
				done <- fmt.Errorf("reply %d: %q; want %q", i, line, want)
				return
			}
			if i > 0 {
				queued.Add(1)
			}
		}
		done <- nil
	}()
	go func() { // blocks once the server reads no more: ends with c's close
		w := bufio.NewWriterSize(c, 64<<10)
		w.WriteString("*1\r\n$5\r\nMULTI\r\n")
		for i := range sets {
			k := strconv.Itoa(i)
			fmt.Fprintf(w, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n", len(k), k)
		}
		w.Flush()
	}()
	reg := srv.Hub().Registry()
	var end error
	select {
	case end = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("after %v: %d SETs queued, %v bytes held, %v connections paused; want the connection closed for the budget",
			10*time.Second, queued.Load(), gathered(t, reg, "async_server_memory_held_bytes"),
			gathered(t, reg, "async_server_memory_paused_connections"))
	}
	if end == nil {
		t.Fatalf("all %d SETs queued against a budget of %d: the queue is not counted", sets, budget)
	}
	if n := gathered(t, reg, "async_server_memory_budget_closed_total"); n != 1 {
		t.Errorf("%v connections closed for the budget; want 1, the transaction's", n)
	}
	if held := gathered(t, reg, "async_server_memory_held_bytes"); held > budget {
		t.Errorf("%v bytes held after the close; want at most the budget, %d", held, budget)
	}
	t.Logf("closed (%v) with %d SETs queued", end, queued.Load())
}

// gathered sums the samples of the gauge or counter called name in g.
func gathered(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
