package actors_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"async_server/actors"
)

// The Timeout row of the supervision table: an idle peer and a peer that does
// not read are both stopped, and the log says Timeout.

// TestIdleTimeoutStops ensures a connection that sends nothing for the idle
// timeout gets the behavior's last reply, is closed (Timeout -> Stop), and not
// much before the timeout.
func TestIdleTimeoutStops(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := startFaulty(t, func(cfg *actors.Config) { cfg.IdleTimeout = idle })
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1 a")
	quiet := time.Now()
	c.expect(t, "-ERR timeout")
	// The server may keep a deadline up to 1/16 of the timeout early rather than
	// move it on every message (see link.rearm), and its clock started when it
	// read the line, before this one read the reply: half the timeout is the
	// bound a loaded machine cannot break, and still tells "at the timeout" from
	// "at once".
	if got, least := time.Since(quiet), idle/2; got < least {
		t.Errorf("idle connection closed after %v; want at least %v", got, least)
	}
	c.expectEOF(t)
	l := waitDecision(t, s, c, 1, logLine{"category": "Timeout", "directive": "Stop"})
	if !strings.Contains(l["cause"], "read") {
		t.Errorf("decision cause = %q; want the read that timed out", l["cause"])
	}
}

// TestIdleTimeoutSparesBusyConnection ensures the idle timeout counts from the
// last bytes received, not from the start: a connection that keeps talking
// outlives it many times over.
func TestIdleTimeoutSparesBusyConnection(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := startFaulty(t, func(cfg *actors.Config) { cfg.IdleTimeout = idle })
	c := s.dialLines(t)
	tick := time.NewTicker(idle / 4)
	defer tick.Stop()
	n := 0
	for start := time.Now(); time.Since(start) < 4*idle; <-tick.C {
		n++
		c.roundTrip(t, "a", fmt.Sprintf("count %d a", n))
	}
	if n := s.countLogLines(t, logLine{"category": "Timeout"}); n != 0 {
		t.Errorf("%d Timeout decisions for a busy connection; want 0", n)
	}
}

// TestWriteTimeoutStopsNonReadingPeer ensures a peer that sends but never reads
// ends as Timeout -> Stop once the server's write has been blocked for the write
// timeout: the connection is closed and the peer's writes fail.
func TestWriteTimeoutStopsNonReadingPeer(t *testing.T) {
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Behavior = "echo"
		cfg.WriteTimeout = 200 * time.Millisecond
	})
	expectWriteTimeoutStop(t, s, s.dial(t))
}

// expectWriteTimeoutStop writes to c, never reading, and fails the test
// unless the server ends the connection as Timeout -> Stop, for its write,
// and the client's writes then fail.
func expectWriteTimeoutStop(t *testing.T, s *testServer, c net.Conn) {
	t.Helper()
	written := make(chan error, 1)
	go func() {
		_, err := writeUntilStalled(c, waitTimeout, 1<<40)
		written <- err
	}()
	l := waitDecision(t, s, c, 1, logLine{"category": "Timeout", "directive": "Stop"})
	if !strings.Contains(l["cause"], "write") {
		t.Errorf("decision cause = %q; want the write that timed out", l["cause"])
	}
	if err := <-written; err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("client write error = %v; want the connection closed by the server", err)
	}
}

// writeUntilStalled writes to c, never reading, until a write fails, makes no
// progress for stall, or limit bytes are written. It returns how much was written
// and the write's error (os.ErrDeadlineExceeded for a stall; nil at the limit).
func writeUntilStalled(c net.Conn, stall time.Duration, limit int64) (int64, error) {
	buf := make([]byte, 64<<10)
	var total int64
	for total < limit {
		_ = c.SetWriteDeadline(time.Now().Add(stall))
		n, err := c.Write(buf)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
