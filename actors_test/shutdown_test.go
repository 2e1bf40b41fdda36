package actors_test

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/internal/leakcheck"
)

// Graceful shutdown, in process: Server.Shutdown, then Done.

// waitDone waits for the server to stop by itself or after a Shutdown.
func (s *testServer) waitDone(t testing.TB) {
	t.Helper()
	select {
	case <-s.Done():
		s.stopped = true
	case <-time.After(waitTimeout):
		t.Fatalf("server not done %v after shutdown began", waitTimeout)
	}
}

// lastLogLine returns the last line of the log, parsed.
func (s *testServer) lastLogLine(t testing.TB) logLine {
	t.Helper()
	lines := s.logLines(t)
	return lines[len(lines)-1]
}

// expectRefused asserts that a new client is not served: its dial is
// refused, or, connected, it is closed unserved. Root stops the acceptor
// (which closes its listener) and tells the connection supervisor to drain
// at once, and an existing client's EOF can come before the acceptor has
// run: the kernel may then still complete a new client's handshake, and the
// draining supervisor closes that connection without serving it
// (onAccepted). And a dial to a loopback port nothing listens on connects
// when the kernel picks that very port as the dial's own (TCP's
// simultaneous open with itself): no server there either.
func (s *testServer) expectRefused(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, waitTimeout)
	if err != nil {
		return
	}
	defer c.Close()
	if c.LocalAddr().String() == c.RemoteAddr().String() {
		return
	}
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	if n, err := c.Read(make([]byte, 1)); n > 0 || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("dial %s during shutdown: connected from %s and not closed (read %d, %v); want refused", s.Addr, c.LocalAddr(), n, err)
	}
}

// TestShutdownAnswersPendingData ensures that what a connection had received
// when Shutdown came is answered before the connection is closed: the lines that
// arrived with a "block" command, still waiting behind it, come back after it,
// then EOF. The listener refuses new clients at once; the report counts both
// connections as graceful and ends the log.
func TestShutdownAnswersPendingData(t *testing.T) {
	release := make(chan struct{})
	s := startServer(t, func(cfg *actors.Config) { cfg.Protocol = faultyFactory(release) })
	idle, c := s.dialLines(t), s.dialLines(t)
	idle.roundTrip(t, "a", "count 1 a")
	// One write, so one read: the connection has all of it when it blocks.
	if _, err := c.Write([]byte("block\nx\ny\n")); err != nil {
		t.Fatalf("writing: %v", err)
	}
	c.expect(t, "blocking")
	s.Shutdown()
	idle.expectEOF(t) // the acceptor has closed its listener and poisoned its connections
	s.expectRefused(t)
	close(release)
	c.expect(t, "count 1 x", "count 2 y")
	c.expectEOF(t)
	s.waitDone(t)
	checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "graceful": "2", "forced": "0"})
}

// TestShutdownTimeoutForcesStuckConnection ensures the shutdown timeout closes a
// connection whose behavior is stuck: the listener refuses new clients at once,
// an idle connection closes gracefully, the stuck one is closed hard at the
// timeout (while its behavior is still blocked), and, its behavior returning
// within the grace that follows, the report, the log's last line, says
// graceful=1 forced=1.
func TestShutdownTimeoutForcesStuckConnection(t *testing.T) {
	s, release, idle, stuck := startStuck(t)

	s.Shutdown()
	idle.expectEOF(t)
	s.expectRefused(t)
	s.waitLogLine(t, logLine{"msg": "shutdown timeout passed; closed hard what was still open", "connections": "1"})
	stuck.expectEOF(t)
	close(release)
	s.waitDone(t)
	checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "graceful": "1", "forced": "1",
		"level": "warning"})
}

// flooder writes 64 MiB at the first input: to a client that does not read,
// the write blocks until the socket is closed.
type flooder struct{ conn protocol.Conn }

func (f *flooder) Received([]byte) error {
	_, err := f.conn.Write(make([]byte, 64<<20))
	return err
}
func (f *flooder) TimedOut() {}

// TestForcedCloseIsNoPeerFailure ensures a connection the shutdown timeout
// closes hard, while its behavior is blocked writing to a peer that does not
// read, ends as forced: the write that then fails is the server's doing, not
// a ConnectionFailed decision blaming the peer.
func TestForcedCloseIsNoPeerFailure(t *testing.T) {
	s := startFlooding(t, 200*time.Millisecond, 0)
	s.Shutdown()
	s.waitDone(t)
	checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "graceful": "0", "forced": "1"})
	for _, l := range s.logLines(t) {
		if l["msg"] == "supervision decision" {
			t.Errorf("decision logged about a connection the server closed: %v", l)
		}
	}
}

// TestShutdownCountsWriteTimeoutAsFailed ensures a connection that ends on
// its write timeout while the shutdown drains it (a peer that does not read
// what it is owed) is counted as failed in the report, not as graceful.
func TestShutdownCountsWriteTimeoutAsFailed(t *testing.T) {
	s := startFlooding(t, 10*time.Second, 2*time.Second)
	s.Shutdown()
	s.waitDone(t)
	checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "graceful": "0", "failed": "1", "forced": "0"})
}

// TestShutdownAbandonsBlockedBehavior ensures a behavior blocked for good (on
// something other than its socket) cannot keep the server from finishing:
// past the shutdown timeout its socket is closed hard, and after a short
// grace the connection is counted as abandoned, in the report and in a line
// of its own, and Done closes while the behavior is still blocked. Once it
// returns, nothing the server started outlives it.
func TestShutdownAbandonsBlockedBehavior(t *testing.T) {
	s, release, idle, stuck := startStuck(t)

	s.Shutdown()
	idle.expectEOF(t)
	stuck.expectEOF(t)
	s.waitDone(t) // the behavior is still blocked
	s.waitLogLine(t, logLine{"msg": "connection abandoned: its behavior did not return after the forced close",
		"remote": stuck.LocalAddr().String()})
	checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "graceful": "1", "forced": "0",
		"abandoned": "1", "level": "warning"})
	close(release)
	if err := leakcheck.Find(s.before); err != nil {
		t.Errorf("goroutines outlived the abandoned behavior: %v", err)
	}
}

// startStuck starts a faults server with a 200 ms shutdown timeout and two
// clients: idle, which has had an answer, and stuck, whose behavior blocks
// until release is closed.
func startStuck(t *testing.T) (s *testServer, release chan struct{}, idle, stuck *lineClient) {
	t.Helper()
	release = make(chan struct{})
	s = startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = faultyFactory(release)
		cfg.ShutdownTimeout = 200 * time.Millisecond
	})
	idle, stuck = s.dialLines(t), s.dialLines(t)
	idle.roundTrip(t, "a", "count 1 a")
	stuck.roundTrip(t, "block", "blocking")
	return s, release, idle, stuck
}

// startFlooding starts a server whose behavior writes without end once its
// client sends a byte, with the shutdown and write timeouts given, and a
// client that has sent it and read one byte back: the behavior is writing,
// and reads no more end it.
func startFlooding(t *testing.T, shutdownTimeout, writeTimeout time.Duration) *testServer {
	t.Helper()
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &flooder{conn: c} }
		cfg.ShutdownTimeout = shutdownTimeout
		cfg.WriteTimeout = writeTimeout
	})
	c := s.dial(t)
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestShutdownEndsInjectedStall ensures an injected stall of the logger or a
// service (as long as actors.MaxStall allows) ends when the shutdown begins:
// the shutdown is as quick and clean as without it, and the log ends with its
// report. (It held the shutdown to the stall's end, past main's last resort:
// exit 1, and with the logger stalled a log cut short at "fault injected".)
// Both are stopped after the connections, so the stall has begun by the time
// the shutdown reaches them. (An acceptor's stall ends the same way, but its
// stop may overtake the fault: no case here.)
func TestShutdownEndsInjectedStall(t *testing.T) {
	for _, c := range []struct{ behavior, target string }{
		{"echo", "logger"},
		{"resp", "keyspace"},
	} {
		t.Run(c.behavior+"/"+c.target, func(t *testing.T) {
			s := startWatched(t, c.behavior)
			if _, err := s.Inject(c.target, actors.Fault{Stall: actors.MaxStall}); err != nil {
				t.Fatalf("Inject(%q, stall): %v", c.target, err)
			}
			s.Shutdown()
			s.waitDone(t)
			if err := s.Err(); err != nil {
				t.Errorf("Err() = %v; want nil", err)
			}
			checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "forced": "0", "abandoned": "0"})
		})
	}
}
