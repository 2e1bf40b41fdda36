// Package actors_test holds async_server's black-box tests: real servers on
// 127.0.0.1 port 0, real clients over TCP. This file is the harness of the
// tests that need more than package testkit (the public kit a new behavior's
// tests use) gives: a config of their own, the raw log; each other file
// covers one concern.
package actors_test

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"async_server/actors"
	"async_server/internal/binary"
	"async_server/internal/leakcheck"
	"async_server/testkit"
)

// TestMain fails the run if any goroutine outlives the tests: every server the
// tests start must leave nothing behind. Each server a test starts is checked
// the same way when it stops (testServer.stop), so a leak usually names its
// test first. The binary the command-line tests share is removed after them.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m, binary.Remove) }

// waitTimeout bounds every wait on a condition. It is generous because CI
// machines are slow and shared; a wait that succeeds returns as soon as it can.
const waitTimeout = 15 * time.Second

// testServer is a server started by startServer.
type testServer struct {
	*actors.Server
	Addr    string // host:port it listens on
	LogPath string // its log file
	stopped bool
	before  goleak.Option // the goroutines that ran before the server started
}

// startServer starts a server on 127.0.0.1:0 with a log file in a temporary
// directory, running the echo behavior (what most foundation tests want; http
// tests set cfg.Behavior themselves). configure, if not nil, adjusts the config
// first. The server is shut
// down when the test ends (if the test has not done it).
func startServer(t testing.TB, configure func(*actors.Config)) *testServer {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.Behavior = "echo"
	if configure != nil {
		configure(&cfg)
	}
	before := goleak.IgnoreCurrent()
	srv, err := actors.Start(cfg)
	if err != nil {
		t.Fatalf("actors.Start: %v", err)
	}
	s := &testServer{Server: srv, Addr: srv.Addrs()[0].String(), LogPath: cfg.Log.File, before: before}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// startBehavior starts a server running the behavior called name; configure, if
// not nil, adjusts the config after that.
func startBehavior(t testing.TB, name string, configure func(*actors.Config)) *testServer {
	t.Helper()
	return startServer(t, func(cfg *actors.Config) {
		cfg.Behavior = name
		if configure != nil {
			configure(cfg)
		}
	})
}

// startEcho starts a server running the echo behavior.
func startEcho(t testing.TB, configure func(*actors.Config)) *testServer {
	t.Helper()
	return startBehavior(t, "echo", configure)
}

// stop shuts the server down, waits until it is done, and fails the test if a
// goroutine started since the server did is still running: a leak is named by
// the test that caused it, not only by TestMain at the end.
func (s *testServer) stop(t testing.TB) {
	t.Helper()
	if s.stopped {
		return
	}
	s.stopped = true
	s.Shutdown()
	select {
	case <-s.Done():
	case <-time.After(waitTimeout):
		t.Fatalf("server did not stop within %v", waitTimeout)
	}
	if err := leakcheck.Find(s.before); err != nil {
		t.Errorf("goroutines outlived the server: %v", err)
	}
}

// log returns the server's log file as it is now.
func (s *testServer) log(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(s.LogPath)
	if err != nil {
		t.Fatalf("reading log: %v", err)
	}
	return string(b)
}

// waitLog waits until the log has a line containing every one of parts, and
// returns that line.
func (s *testServer) waitLog(t testing.TB, parts ...string) string {
	t.Helper()
	var found string
	waitFor(t, "a log line with "+strings.Join(parts, ", "), func() bool {
		for _, line := range strings.Split(s.log(t), "\n") {
			if containsAll(line, parts...) {
				found = line
				return true
			}
		}
		return false
	})
	return found
}

// dial connects to the server; the connection is closed when the test ends.
func (s *testServer) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, waitTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond until it holds, failing the test after waitTimeout.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readLine reads one line (without its newline) within waitTimeout.
func readLine(t testing.TB, c net.Conn, r *bufio.Reader) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading a line: %v (got %q)", err, line)
	}
	return strings.TrimSuffix(line, "\n")
}

// expectEOF asserts that the server closes c (in order or by reset) within
// waitTimeout, ignoring whatever it still sends first.
func expectEOF(t testing.TB, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", waitTimeout)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
