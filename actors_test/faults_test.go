package actors_test

import "testing"

// TestFaultsBehavior ensures the faults behavior (-behavior faults, for breaking
// the server on purpose) fails in each way it promises: panic and bad restart the
// connection (socket kept, count reset), lost and big stop it after their error
// reply, and each decision is in the log.
func TestFaultsBehavior(t *testing.T) {
	s := startBehavior(t, "faults", nil)
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1: a")
	c.roundTrip(t, "b", "count 2: b")
	c.send(t, "panic")
	// Wait for the restart: bytes read together with the failing line go with it.
	s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "Internal", "directive": "Restart"})
	c.roundTrip(t, "c", "count 1: c") // a fresh incarnation on the same socket
	c.roundTrip(t, "d", "count 2: d")
	c.roundTrip(t, "bad", "-ERR bad request")
	c.roundTrip(t, "e", "count 1: e")
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
