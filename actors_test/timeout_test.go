package actors_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
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

// TestWriteTimeoutClosesHard ensures a connection stopped by its write
// timeout is closed at once with a reset, plain or over TLS: its peer takes
// no data, so nothing it is owed can be saved by a graceful close, and that
// close held the socket and its slot for the drain (500 ms) or, over TLS, for
// a close_notify written under crypto/tls's 5 s deadline and the write
// timeout again. The peer, which reads only once a waiting client has been
// admitted to the one slot (-max-conns 1, so the socket is closed by then),
// reads what reached it and then the reset, not an orderly end.
func TestWriteTimeoutClosesHard(t *testing.T) {
	for _, secure := range []bool{false, true} {
		name := "plain"
		if secure {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			var pool *x509.CertPool
			s := startServer(t, func(cfg *actors.Config) {
				cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &flooder{conn: c} }
				cfg.WriteTimeout, cfg.MaxConns = 200*time.Millisecond, 1
				if secure {
					cfg.TLSCert, cfg.TLSKey, pool = testCert(t)
				}
			})
			dial := func() net.Conn {
				if secure {
					return dialTLS(t, s, pool)
				}
				c := s.dial(t)
				_ = c.SetDeadline(time.Now().Add(waitTimeout))
				return c
			}
			flood := func(c net.Conn) { // the flooder is writing to c once c has read a byte of it
				if _, err := c.Write([]byte("x")); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Read(make([]byte, 1)); err != nil {
					t.Fatal(err)
				}
			}
			a := dial()
			flood(a)
			waitDecision(t, s, a, 1, logLine{"category": "Timeout", "directive": "Stop"})
			timedOut := time.Now()
			flood(dial()) // admitted once a's socket is closed
			t.Logf("the next client was admitted %v after the write timeout's decision", time.Since(timedOut))
			_, err := io.Copy(io.Discard, a)
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("the peer whose write timed out read to %v; want a reset: closed hard, not gracefully", err)
			}
		})
	}
}
