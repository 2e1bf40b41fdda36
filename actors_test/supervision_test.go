package actors_test

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/supervision"
)

// The supervision table, end to end over TCP: each test makes a connection fail
// with one category (through the faulty behavior) and checks what the client sees
// and the "supervision decision" line the server logs. Timeout is in
// timeout_test.go, ListenerFailed in listener_test.go.

// waitDecision waits for the n-th (from 1) supervision decision about the
// connection whose client end is c, checks the fields every decision carries, and
// returns the line.
func waitDecision(t testing.TB, s *testServer, c net.Conn, n int, want logLine) logLine {
	t.Helper()
	match := logLine{"msg": "supervision decision", "remote": c.LocalAddr().String()}
	var found logLine
	waitFor(t, "supervision decision "+strconv.Itoa(n)+" about "+match["remote"], func() bool {
		seen := 0
		for _, l := range s.logLines(t) {
			if l.matches(match) {
				if seen++; seen == n {
					found = l
					return true
				}
			}
		}
		return false
	})
	checkFields(t, found, want)
	if !strings.HasPrefix(found["conn"], "conn-") {
		t.Errorf("decision conn = %q; want a connection id", found["conn"])
	}
	for _, k := range []string{"category", "directive", "restarts", "budget", "cause"} {
		if found[k] == "" {
			t.Errorf("decision has no %s field: %v", k, found)
		}
	}
	return found
}

// TestBadRequestRestarts ensures a BadRequest with intact framing gets its error
// reply, then a restart: the socket stays open and the behavior's state starts
// afresh.
func TestBadRequestRestarts(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1 a")
	c.roundTrip(t, "b", "count 2 b")
	c.roundTrip(t, "bad", "-ERR bad")
	waitDecision(t, s, c, 1, logLine{"category": "BadRequest", "directive": "Restart",
		"restarts": "1", "budget": "3", "level": "warning"})
	c.roundTrip(t, "c", "count 1 c")
}

// TestBadRequestFramingLostStops ensures a BadRequest that lost the framing gets
// its error reply and then the connection is closed: a restart could not find
// the next request.
func TestBadRequestFramingLostStops(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1 a")
	c.roundTrip(t, "lost", "-ERR lost")
	c.expectEOF(t)
	waitDecision(t, s, c, 1, logLine{"category": "BadRequest", "directive": "Stop",
		"restarts": "0", "budget": "3"})
}

// TestTooLargeStops ensures TooLarge gets its error reply and then the connection
// is closed.
func TestTooLargeStops(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.roundTrip(t, "big", "-ERR too large")
	c.expectEOF(t)
	l := waitDecision(t, s, c, 1, logLine{"category": "TooLarge", "directive": "Stop"})
	if !strings.Contains(l["cause"], errRequested.Error()) {
		t.Errorf("decision cause = %q; want it to contain %q", l["cause"], errRequested)
	}
}

// TestPanicRestarts ensures a panic in behavior code is an Internal failure: the
// connection actor restarts with fresh behavior state on the same socket, and
// the panic's stack is logged.
func TestPanicRestarts(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1 a")
	c.roundTrip(t, "b", "count 2 b")
	c.send(t, "panic")
	l := waitDecision(t, s, c, 1, logLine{"category": "Internal", "directive": "Restart",
		"restarts": "1", "budget": "3"})
	if !strings.Contains(l["cause"], "faulty: panic requested") {
		t.Errorf("decision cause = %q; want the panic value", l["cause"])
	}
	c.roundTrip(t, "c", "count 1 c")
	p := s.waitLogLine(t, logLine{"msg": "behavior panicked", "remote": c.LocalAddr().String()})
	if !strings.Contains(p["stack"], "faulty") {
		t.Errorf("panic stack = %q; want the faulty behavior's frames", p["stack"])
	}
}

// TestRestartIntensityExceededStops ensures that the failure after
// Intensity.MaxRestarts restarts within the window stops the connection instead
// of restarting it, and the decision says so.
func TestRestartIntensityExceededStops(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) {
		cfg.Intensity = supervision.Intensity{MaxRestarts: 2, Within: time.Minute}
	})
	c := s.dialLines(t)
	for i := 1; i <= 2; i++ {
		c.send(t, "panic")
		waitDecision(t, s, c, i, logLine{"category": "Internal", "directive": "Restart",
			"restarts": strconv.Itoa(i), "budget": "2"})
		c.roundTrip(t, "still here", "count 1 still here")
	}
	c.roundTrip(t, "bad", "-ERR bad")
	waitDecision(t, s, c, 3, logLine{"category": "BadRequest", "directive": "Stop",
		"restarts": "3", "budget": "2"})
	c.expectEOF(t)
}

// TestPeerResetStops ensures a client that resets the connection while the
// server is in the middle of a write ends as ConnectionFailed -> Stop, logged at
// Info (a peer's reset is not the server's problem), and its slot is freed.
func TestPeerResetStops(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) { cfg.MaxConns = 1 })
	c := s.dialLines(t)
	c.send(t, "flood")
	c.expect(t, "flood") // the server is writing, and will be until the reset
	tc := c.Conn.(*net.TCPConn)
	if err := tc.SetLinger(0); err != nil {
		t.Fatalf("SetLinger(0): %v", err)
	}
	remote := c.LocalAddr().String()
	tc.Close() // with linger 0: RST
	l := s.waitLogLine(t, logLine{"msg": "supervision decision", "remote": remote})
	checkFields(t, l, logLine{"category": "ConnectionFailed", "directive": "Stop", "level": "info"})
	if !strings.Contains(l["cause"], "write") {
		t.Errorf("decision cause = %q; want the failed write", l["cause"])
	}
	// MaxConns is 1: a new client is served only once the slot is free.
	s.dialLines(t).roundTrip(t, "next", "count 1 next")
}
