package actors_test

import "testing"

// TestFaultsBehavior ensures the faults behavior (-behavior faults, for breaking
// the server on purpose) fails in each way it promises: panic and bad restart the
// connection (socket kept, count reset), lost and big stop it after their error
// reply, each decision is in the log, and nothing pipelined behind a failure is
// lost.
func TestFaultsBehavior(t *testing.T) {
	s := startBehavior(t, "faults", nil)
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1: a")
	c.roundTrip(t, "b", "count 2: b")
	// Lines pipelined behind a failure are answered by the fresh incarnation, on
	// the same socket.
	c.send(t, "panic", "c", "d", "bad", "e")
	c.expect(t, "count 1: c", "count 2: d", "-ERR bad request", "count 1: e")
	s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "Internal", "directive": "Restart"})
	s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "BadRequest", "directive": "Restart"})

	for _, tc := range []struct{ cmd, reply, category string }{
		{"lost", "-ERR framing lost", "BadRequest"},
		{"big", "-ERR too large", "TooLarge"},
	} {
		c := s.dialLines(t)
		c.roundTrip(t, "x", "count 1: x")
		c.roundTrip(t, tc.cmd, tc.reply)
		c.expectEOF(t)
		s.waitLogLine(t, logLine{"msg": "supervision decision", "category": tc.category, "directive": "Stop"})
	}
}
