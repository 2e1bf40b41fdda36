package actors

import (
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestDoneAfterEveryReader ensures that once Done is closed no connection's
// reader goroutine (and so no socket) is left, even when a peer keeps its
// connection open through the shutdown: DESIGN.md's "no goroutine or file
// descriptor outlives a shut-down server", without waiting for anything.
func TestDoneAfterEveryReader(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Behavior = "echo" // not the default: that may become http
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	srv, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	c, err := net.Dial("tcp", srv.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "hi\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, 3)); err != nil {
		t.Fatalf("echo: %v", err)
	}

	srv.Shutdown()
	select {
	case <-srv.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "async_server/actors.(*link)") {
			t.Errorf("a connection's reader is still running after Done:\n%s", g)
		}
	}
}
