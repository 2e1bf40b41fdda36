//go:build unix

package actors_test

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
)

// TestShutdownTimeoutCutsDrains ensures -shutdown-timeout bounds the last
// part of a shutdown too: the close-wait of each socket whose connection has
// finished (FIN sent, then the reader drains until the peer closes, or for
// 500 ms with nothing to read). Echo clients that had their answer and stay
// connected, neither sending nor closing, see their FIN at the shutdown; past
// the timeout their sockets are closed hard, so each client sees a reset,
// which a drain that ended by itself never sends (nothing was unread).
// Before, the timeout cut nothing: the server was done only when the drains
// had ended by themselves, and no client saw a reset. (Probe: 200 clients,
// -shutdown-timeout 100ms: took=517ms, and a warning "closing remaining
// connections" listeners=0 that closed nothing.) The warning says what it
// closed, the cut connections stay graceful (they had answered everything),
// and the report is still the last line.
func TestShutdownTimeoutCutsDrains(t *testing.T) {
	const clients = 20
	s := startEcho(t, func(cfg *actors.Config) { cfg.ShutdownTimeout = 200 * time.Millisecond })
	var cs []*lineClient
	for i := range clients {
		c := s.dialLines(t)
		c.roundTrip(t, fmt.Sprint("hello ", i), fmt.Sprint("hello ", i))
		cs = append(cs, c)
	}
	s.Shutdown()
	for _, c := range cs {
		c.expectEOF(t) // the FIN: its drain has begun
	}
	s.waitDone(t)
	for i, c := range cs {
		waitFor(t, fmt.Sprintf("client %d's socket reset (its drain cut)", i), func() bool { return wasReset(t, c.Conn) })
	}
	lines := s.logLines(t)
	warning := s.waitLogLine(t, logLine{"msg": "shutdown timeout passed; closed hard what was still open"})
	checkFields(t, warning, logLine{"level": "warning", "connections": "0", "drains_cut": fmt.Sprint(clients),
		"unacked": "0"})
	checkFields(t, lines[len(lines)-1], logLine{"msg": "shutdown report", "graceful": fmt.Sprint(clients),
		"forced": "0", "level": "info"})
}

// wasReset reports whether c's socket has had a reset from its peer: its
// pending error (SO_ERROR) is set. Reading it clears it; the caller stops
// asking once it is.
func wasReset(t testing.TB, c net.Conn) bool {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	soErr := 0
	if err := rc.Control(func(fd uintptr) {
		soErr, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
	}); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("SO_ERROR: %v", err)
	}
	return soErr != 0
}

// replier writes size bytes at its first input, then says so on written.
type replier struct {
	conn    protocol.Conn
	size    int
	written chan struct{}
}

func (r *replier) Received([]byte) error {
	_, err := r.conn.Write(make([]byte, r.size))
	close(r.written)
	return err
}
func (r *replier) TimedOut() {}

// TestShutdownTimeoutCountsCutReplyAsForced ensures a connection whose drain
// the timeout cuts is not counted graceful when its client has not had all
// of its reply: one that reads nothing (a small receive buffer, and it never
// reads) while its 256 KiB reply waits in the server's send buffer. The
// behavior's write has returned, so the connection finishes at the shutdown
// as a graceful one does, but the hard close drops what the kernel still
// holds of the reply: the warning says so (unacked=1), and the report counts
// it forced. (It said graceful=1 forced=0.)
func TestShutdownTimeoutCountsCutReplyAsForced(t *testing.T) {
	written := make(chan struct{})
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &replier{conn: c, size: 256 << 10, written: written} }
		cfg.ShutdownTimeout = 200 * time.Millisecond
		cfg.SendBuffer = 1 << 20 // room for the reply the client leaves unread
	})
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	c, err := d.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-written:
	case <-time.After(waitTimeout):
		t.Fatalf("the reply was not written within %v", waitTimeout)
	}
	s.Shutdown()
	s.waitDone(t)
	checkFields(t, s.waitLogLine(t, logLine{"msg": "shutdown timeout passed; closed hard what was still open"}),
		logLine{"connections": "0", "drains_cut": "1", "unacked": "1"})
	lines := s.logLines(t)
	checkFields(t, lines[len(lines)-1], logLine{"msg": "shutdown report", "graceful": "0", "forced": "1",
		"level": "warning"})
}
