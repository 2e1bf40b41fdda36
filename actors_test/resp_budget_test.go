package actors_test

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
	"time"

	"async_server/actors"
)

// TestRespHeldWithinBudget ensures the resp behavior reports what it holds
// for its clients to the server's memory budget: connections each sending
// most of a 1 MiB SET value are counted, paused near the budget (TCP pushes
// back on them) and kept within it, and a fresh client is served. Without the
// report their bytes were invisible to the budget. Each holds less than half
// the budget: one holding more would be closed, not paused (budget.closeHalf).
func TestRespHeldWithinBudget(t *testing.T) {
	const budget, conns, size = 4 << 20, 8, 1 << 20
	s := startBehavior(t, "resp", func(c *actors.Config) {
		c.Observe = true
		c.MemoryBudget = budget
	})
	req := []byte(fmt.Sprintf("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", size) + strings.Repeat("a", size-1))
	for range conns {
		c := s.dial(t)
		go func() { // blocks once the server stops reading it; ends when the test closes c
			_ = c.SetWriteDeadline(time.Now().Add(waitTimeout))
			_, _ = c.Write(req)
		}()
	}
	waitFor(t, "resp connections' partial commands counted", func() bool { return heldBytes(t, s) >= size/2 })
	reg := s.Hub().Registry()
	waitFor(t, "connections paused", func() bool {
		return gatheredSum(t, reg, "async_server_memory_paused_connections") > 0
	})
	if held := heldBytes(t, s); held > budget {
		t.Errorf("%v bytes held; want at most the budget, %d", held, budget)
	}
	fresh := s.dial(t)
	_ = fresh.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := fresh.Write([]byte("PING\r\n")); err != nil {
		t.Fatalf("fresh client: %v", err)
	}
	if line, err := bufio.NewReader(fresh).ReadString('\n'); err != nil || line != "+PONG\r\n" {
		t.Errorf("fresh client's PING: %q (%v); want +PONG", line, err)
	}
}
