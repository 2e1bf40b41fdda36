//go:build unix

package actors_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/chat"
	"async_server/internal/leakcheck"
)

// TestMemoryBudget ensures the server-wide memory budget bounds what slow
// readers make the server hold, closing the largest holder first: with a
// budget of 1 MiB and no per-connection output limit, 20 members of one
// room that never read are sent 30 KB each, and a hog in another room that
// never reads is fed until the total passes the budget. The hog alone is
// closed, with a log line naming it; the total is then within the budget
// (the metric says so); the 20 stay; a fresh client is served. Without the
// budget the hog would hold whatever was sent it, up to -output-limit (32 MiB
// by default), and so would each of -max-conns such readers.
func TestMemoryBudget(t *testing.T) {
	const budget, slow = 1 << 20, 20
	s := startBehavior(t, "chat", func(c *actors.Config) {
		c.Observe = true
		c.MemoryBudget = budget
		c.OutputLimit, c.OutputSoftLimit = 0, 0
		c.WriteTimeout = time.Minute // the readers stall; the budget, not a timeout, must act
		c.Options.Chat = chat.Options{}
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(s.log(t))
		}
	})
	talkerB := s.joinChat(t, "talkerb", "small", 0)
	for i := range slow {
		stalled(t, s, fmt.Sprintf("s%02d", i), "small", i+2)
	}
	talkerA := s.joinChat(t, "talkera", "big", 0)
	hog, hogID := stalled(t, s, "hog", "big", 2)

	line := strings.Repeat("x", 1000)
	// 30 KB to each of the 20: at most 600 KB held even where the kernel's
	// buffers take none of it, so only the hog can take the total past the
	// budget. (With 100 KB each, a run whose buffers took little closed one
	// of the 20 first.)
	for range 30 {
		talkerB.send(t, line)
	}
	got := s.waitLogUntil(t, logLine{"msg": "memory budget exceeded; closing the connection that holds the most"}, func() {
		talkerA.send(t, line)
	})
	checkFields(t, got, logLine{"level": "warning", "conn": hogID, "budget": fmt.Sprint(budget)})
	if held := heldBytes(t, s); held > budget {
		t.Errorf("after the eviction: %v bytes held; want at most the budget, %d", held, budget)
	}
	expectClosed(t, hog)
	if n := gatheredSum(t, s.Hub().Registry(), "async_server_memory_budget_closed_total"); n != 1 {
		t.Errorf("closed for the budget: %v; want 1 (the hog alone)", n)
	}
	s.waitChatStats(t, chat.Stats{Conns: slow + 2, Rooms: 2, Members: slow + 2, Actors: 2})
	fresh := s.joinChat(t, "fresh", "small", slow+1)
	fresh.roundTrip(t, "/rooms", "* rooms: big (1), small (22)")
}

// stalled joins room as nick (the reply counts members, it included) and then reads
// nothing, with a receive buffer of 4 KiB, so that what the room sends it
// piles up in the server. It returns the client and its connection's name.
func stalled(t *testing.T, s *testServer, nick, room string, members int) (*lineClient, string) {
	t.Helper()
	d := net.Dialer{Timeout: waitTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
		return errors.Join(err, serr)
	}}
	nc, err := d.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &lineClient{Conn: nc, r: bufio.NewReader(nc)}
	var id int
	if _, err := fmt.Sscanf(readLine(t, c, c.r), chatGreeting+"%d;", &id); err != nil {
		t.Fatalf("the welcome line: %v", err)
	}
	c.roundTrip(t, "/nick "+nick, "* you are now "+nick)
	c.roundTrip(t, "/join "+room, fmt.Sprintf("* you joined %s (%d member%s)", room, members, pluralS(members)))
	return c, fmt.Sprintf("conn-%d", id)
}

// heldBytes is the memory budget's held gauge.
func heldBytes(t testing.TB, s *testServer) float64 {
	t.Helper()
	return gatheredSum(t, s.Hub().Registry(), "async_server_memory_held_bytes")
}

// peakHeld is the most the connections of s have held at once, by the
// budget's own count: every moment, where sampling heldBytes sees a few.
func peakHeld(t testing.TB, s *testServer) float64 {
	t.Helper()
	return gatheredSum(t, s.Hub().Registry(), "async_server_memory_held_peak_bytes")
}

// expectClosed reads c until the server has closed it.
func expectClosed(t testing.TB, c *lineClient) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, 64<<10)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("connection still open after %v", waitTimeout)
			}
			return
		}
	}
}

// TestMemoryBudgetPauses ensures the budget stops reading from the
// connections that hold the most before it has to close any: 8 connections
// each sending most of a 1 MiB body against a budget of 4 MiB are read until
// the total passes three quarters of it, then read no more (TCP pushes back
// on them), so the total stays within the budget and nobody is closed for
// it; a fresh GET is served meanwhile.
func TestMemoryBudgetPauses(t *testing.T) {
	const budget, conns, size = 4 << 20, 8, 1 << 20
	s := startHTTP(t, func(c *actors.Config) {
		c.Observe = true
		c.MemoryBudget = budget
		c.Options.HTTP.MaxBody = size
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(s.log(t))
		}
	})
	sendMostOfBodies(t, s, conns, size)
	reg := s.Hub().Registry()
	waitFor(t, "connections paused", func() bool {
		return gatheredSum(t, reg, "async_server_memory_paused_connections") > 0
	})
	if held := heldBytes(t, s); held > budget {
		t.Errorf("%v bytes held; want at most the budget, %d", held, budget)
	}
	if resp, _ := httpGet(t, httpClient(t), "GET", s.url("/"), nil); resp.StatusCode != 200 {
		t.Errorf("a fresh GET: %d; want 200", resp.StatusCode)
	}
	if held := heldBytes(t, s); held > budget || held < budget/2 {
		t.Errorf("%v bytes held; want from half the budget to the budget, %d (paused, not closed)", held, budget)
	}
	if n := gatheredSum(t, reg, "async_server_memory_budget_closed_total"); n != 0 {
		t.Errorf("%v connections closed for the budget; want 0: pausing the largest is enough", n)
	}
}

// TestBudgetClosesHalfHolder ensures a connection that alone holds half the
// budget is closed when the budget would pause it: paused, it would never be
// read again (the paused are read again only once the total is below half
// the budget, which its own holding keeps it above), and every other
// connection holding 64 KiB or more would be paused with it until it went.
// One connection sends most of a 3.5 MiB body against a budget of 4 MiB:
// closed, with its log line, and nothing left held. (It stayed paused.)
func TestBudgetClosesHalfHolder(t *testing.T) {
	const budget, size = 4 << 20, 7 << 19
	s := startHTTP(t, func(c *actors.Config) {
		c.Observe = true
		c.MemoryBudget = budget
		c.Options.HTTP.MaxBody = size
		c.Options.HTTP.HeaderTimeout = 2 * time.Minute // the budget, not the body rate, must act here
	})
	sendMostOfBodies(t, s, 1, size)
	got := s.waitLogLine(t, logLine{"msg": "memory budget: one connection holds half of it; closing it"})
	checkFields(t, got, logLine{"level": "warning", "budget": fmt.Sprint(budget)})
	reg := s.Hub().Registry()
	if n := gatheredSum(t, reg, "async_server_memory_budget_closed_total"); n != 1 {
		t.Errorf("closed for the budget: %v; want 1", n)
	}
	waitFor(t, "nothing held", func() bool { return heldBytes(t, s) == 0 })
	if resp, _ := httpGet(t, httpClient(t), "GET", s.url("/"), nil); resp.StatusCode != 200 {
		t.Errorf("a fresh GET: %d; want 200", resp.StatusCode)
	}
}

// TestBudgetPausedHoldNoGoroutine ensures a connection the budget pauses
// gives its goroutine back, as an idle connection does (the I/O engine's
// design: a connection not read holds no goroutine and no buffer): 16
// connections sending 1 MiB bodies (but the last byte) against a 4 MiB
// budget: most are paused, the rest read their body and wait for its last
// byte, and then no goroutine serves any of them (none has a netpoll.Conn's
// method on its stack). On the code before this test, each
// paused connection's runner waited for the ack (netpoll's awaitAck), 2 KiB
// of stack or more a connection that the budget did not count.
func TestBudgetPausedHoldNoGoroutine(t *testing.T) {
	const budget, conns, size = 4 << 20, 16, 1 << 20
	s := startHTTP(t, func(c *actors.Config) {
		c.Observe = true
		c.MemoryBudget = budget
		c.Options.HTTP.MaxBody = size
		c.Options.HTTP.HeaderTimeout = 2 * time.Minute // the budget, not the body rate, must act here
	})
	sendMostOfBodies(t, s, conns, size)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%d goroutines serve connections", connGoroutines())
		}
	})
	reg := s.Hub().Registry()
	waitFor(t, "half the connections paused", func() bool {
		return gatheredSum(t, reg, "async_server_memory_paused_connections") >= conns/2
	})
	var readers int
	waitFor(t, "no goroutine serving a connection", func() bool {
		readers = connGoroutines()
		return readers == 0
	})
	paused := gatheredSum(t, reg, "async_server_memory_paused_connections")
	t.Logf("%v connections paused, %d goroutines serve them", paused, readers)
}

// connGoroutines counts the goroutines that serve connections: a
// reader, hot or waiting for its ack.
func connGoroutines() int { return leakcheck.Count("async_server/internal/netpoll.(*Conn).") }

// sendMostOfBodies opens conns connections that each send all but the last
// byte of a size-byte request body, then nothing: each holds its body.
func sendMostOfBodies(t *testing.T, s *testServer, conns, size int) {
	t.Helper()
	req := []byte(httpReq("POST / HTTP/1.1", "Host: x", fmt.Sprintf("Content-Length: %d", size)) +
		strings.Repeat("a", size-1))
	for range conns {
		c := s.dial(t)
		go func() { // blocks once the server stops reading it; ends when the test closes c
			_ = c.SetWriteDeadline(time.Now().Add(waitTimeout))
			_, _ = c.Write(req)
		}()
	}
}
