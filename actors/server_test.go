package actors

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// TestDoneAfterEveryReader ensures that once Done is closed no connection's
// reader (and so no socket) is left, even when a peer keeps its connection
// open through the shutdown: no goroutine or file descriptor outlives a
// shut-down server, without waiting for anything.
func TestDoneAfterEveryReader(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Behavior = "echo" // not the default: that may become http
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	srv, c := startAndDial(t, cfg)
	if _, err := io.WriteString(c, "hi\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, 3)); err != nil {
		t.Fatalf("echo: %v", err)
	}

	stopAndWait(t, srv)
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "async_server/actors.(*link)") {
			t.Errorf("a connection's reader is still running after Done:\n%s", g)
		}
	}
}

// TestDoneClosesRoot ensures that the http behavior's -root directory, which it
// holds open while it serves, is closed by the time Done is: no descriptor
// outlives a shut-down server.
func TestDoneClosesRoot(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc/self/fd")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Behavior = "http"
	cfg.Options.HTTP.Root = dir
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	srv, c := startAndDial(t, cfg)
	if _, err := io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, err := io.ReadAll(c); err != nil || !strings.HasSuffix(string(resp), "\r\n\r\nhello") {
		t.Fatalf("GET /a.txt: %q, %v", resp, err)
	}
	if n := openDescriptorsOf(t, dir); n != 1 {
		t.Errorf("while serving: %d descriptors of the root, want 1", n)
	}

	stopAndWait(t, srv)
	if n := openDescriptorsOf(t, dir); n != 0 {
		t.Errorf("after Done: %d descriptors of the root still open", n)
	}
}

// openDescriptorsOf counts this process's open descriptors of path.
func openDescriptorsOf(t *testing.T, path string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == path {
			n++
		}
	}
	return n
}

// startAndDial starts a server with cfg and connects to it; the connection is
// closed when the test ends.
func startAndDial(t *testing.T, cfg Config) (*Server, net.Conn) {
	t.Helper()
	srv, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	c, err := net.Dial("tcp", srv.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return srv, c
}

// echoServer starts an echo server with idle timeout idle and connects to it.
func echoServer(t *testing.T, idle time.Duration) (*Server, net.Conn) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Behavior = "echo"
	cfg.IdleTimeout = idle
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	srv, c := startAndDial(t, cfg)
	t.Cleanup(func() { stopAndWait(t, srv) })
	return srv, c
}

// echoOnce writes p to c and reads it back.
func echoOnce(t *testing.T, c net.Conn, p []byte) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(p); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(p))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, p) {
		t.Fatalf("echo: %q, %v; want %q", got, err, p)
	}
}

// stopAndWait shuts srv down and waits until it is done.
func stopAndWait(t *testing.T, srv *Server) {
	t.Helper()
	srv.Shutdown()
	select {
	case <-srv.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
}

// TestStoppedAcceptorStaysDown ensures an acceptor stopped for the shutdown
// never comes back to life: a listener failure reported behind the shutdown
// (the accept loop sent it just before the listener was closed) does not make
// root start a fresh acceptor that accepts clients nobody drains. The server
// still shuts down.
func TestStoppedAcceptorStaysDown(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Behavior = "echo"
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	srv, c := startAndDial(t, cfg)
	c.Close()
	addr := srv.Addrs()[0].String()
	acceptor := actor.NewPID(srv.sys.Address(), srv.root.Id+"/acceptor-"+addr)
	srv.Shutdown()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) { // polls the file: no event says it is written
		if b, _ := os.ReadFile(cfg.Log.File); strings.Contains(string(b), "shutdown started") || time.Now().After(deadline) {
			break
		}
	}
	srv.sys.Root.Send(acceptor, &messages.AcceptFailed{Err: errors.New("listener broken by the test")})
	stopAndWait(t, srv)

	log, err := os.ReadFile(cfg.Log.File)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"listening again", "ListenerFailed"} {
		if strings.Contains(string(log), bad) {
			t.Errorf("log has %q: the stopped acceptor was restarted\n%s", bad, log)
		}
	}
}

// TestFailedStartReportsNoShutdown ensures a server that could not listen logs
// why, and no "shutdown started" or shutdown report for a server that never ran.
func TestFailedStartReportsNoShutdown(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := DefaultConfig()
	cfg.Port = taken.Addr().(*net.TCPAddr).Port
	cfg.Behavior = "echo"
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	if srv, err := Start(cfg); err == nil {
		stopAndWait(t, srv)
		t.Fatalf("Start on a port in use: no error")
	}
	log, err := os.ReadFile(cfg.Log.File)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "cannot listen") {
		t.Errorf("log lacks %q:\n%s", "cannot listen", log)
	}
	if strings.Contains(string(log), "shutdown") {
		t.Errorf("log of a server that never ran mentions a shutdown:\n%s", log)
	}
}
