package actors_test

import (
	"strings"
	"testing"

	"async_server/testkit"
)

// TestFaultsBehavior ensures the faults behavior (-behavior faults, for breaking
// the server on purpose) fails in each way it promises: panic and bad restart the
// connection (socket kept, count reset), lost and big stop it after their error
// reply, each decision is an event and a log line, and nothing pipelined behind
// a failure is lost.
func TestFaultsBehavior(t *testing.T) {
	srv := testkit.Start(t, "faults")
	c := srv.Dial(t)
	c.SendLine("a")
	c.ExpectLine("count 1: a")
	c.SendLine("b")
	c.ExpectLine("count 2: b")
	// Lines pipelined behind a failure are answered by the fresh incarnation, on
	// the same socket.
	c.SendLine("panic", "c", "d", "bad", "e")
	c.ExpectLine("count 1: c", "count 2: d", "-ERR bad request", "count 1: e")
	expectDecision(t, c.WaitDecision(), "Internal", "Restart", 1)
	expectDecision(t, c.WaitDecision(), "BadRequest", "Restart", 2)
	srv.WaitLog("supervision decision", "category=Internal", "directive=Restart", "conn="+c.ID())
	srv.WaitLog("supervision decision", "category=BadRequest", "directive=Restart", "conn="+c.ID())

	for _, tc := range []struct{ cmd, reply, category string }{
		{"lost", "-ERR framing lost", "BadRequest"},
		{"big", "-ERR too large", "TooLarge"},
	} {
		c := srv.Dial(t)
		c.SendLine("x")
		c.ExpectLine("count 1: x")
		c.SendLine(tc.cmd)
		c.ExpectLine(tc.reply)
		c.ExpectClosed()
		expectDecision(t, c.WaitDecision(), tc.category, "Stop", 0)
		if e := c.WaitStopped(); e.Reason != tc.category {
			t.Errorf("%s: stopped because %q; want %q", tc.cmd, e.Reason, tc.category)
		}
		srv.WaitLog("supervision decision", "category="+tc.category, "directive=Stop", "conn="+c.ID())
	}
}

// expectDecision checks a decision's category, directive and restarts used,
// and that it was not injected.
func expectDecision(t testing.TB, d testkit.Event, category, directive string, restarts int) {
	t.Helper()
	if d.Category != category || d.Directive != directive || d.Restarts != restarts || d.Injected {
		t.Errorf("decision about %s: %s -> %s, restarts %d, injected %v; want %s -> %s, restarts %d, not injected",
			d.Actor, d.Category, d.Directive, d.Restarts, d.Injected, category, directive, restarts)
	}
}

// TestFaultsLineTooLong ensures the faults behavior holds at most 4 KiB of a
// line whose newline has not come: past it, an error reply and the close
// (TooLarge), however the line is split into reads.
func TestFaultsLineTooLong(t *testing.T) {
	srv := testkit.Start(t, "faults")
	for _, chunk := range []int{4097, 100} {
		c := srv.Dial(t)
		c.SendLine("x")
		c.ExpectLine("count 1: x")
		long := strings.Repeat("a", chunk)
		for sent := 0; sent <= 4096; sent += chunk {
			c.SendString(long)
		}
		c.ExpectLine("-ERR line too long")
		c.ExpectClosed()
		expectDecision(t, c.WaitDecision(), "TooLarge", "Stop", 0)
	}
	// A line of exactly 4 KiB is still a line.
	c := srv.Dial(t)
	c.SendLine(strings.Repeat("b", 4096))
	c.ExpectLine("count 1: " + strings.Repeat("b", 4096))
}
