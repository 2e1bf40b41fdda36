//go:build unix

package actors_test

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
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
	checkFields(t, warning, logLine{"level": "warning", "connections": "0", "drains_cut": fmt.Sprint(clients)})
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
