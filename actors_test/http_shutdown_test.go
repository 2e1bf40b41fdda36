package actors_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// TestHTTPHandlerPanic ensures a handler panic is answered 500, logged as an
// Internal failure that restarts the connection actor, and that the same
// connection then serves the next request: the socket was kept.
func TestHTTPHandlerPanic(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fine") })
	s := startServer(t, func(cfg *actors.Config) { cfg.Protocol = web.New(mux, web.DefaultOptions()) })
	c := s.dialRaw(t)
	c.send(t, httpReq("GET /panic HTTP/1.1", "Host: x"))
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusInternalServerError || resp.Close {
		t.Fatalf("panic: %d, close %v; want 500 on a connection kept open", resp.StatusCode, resp.Close)
	}
	s.waitLog(t, "supervision decision", "category=Internal", "directive=Restart", "boom")
	s.waitLog(t, "http handler panicked", "boom")
	c.send(t, httpReq("GET /ok HTTP/1.1", "Host: x"))
	if resp, body := c.response(t, "GET"); resp.StatusCode != 200 || body != "fine" {
		t.Fatalf("after the restart: %d %q; want 200 fine", resp.StatusCode, body)
	}
}

// TestHTTPShutdownMidResponse ensures a large response being written when the
// shutdown starts is delivered whole, a request received behind it is answered
// too, and only then is the connection closed.
func TestHTTPShutdownMidResponse(t *testing.T) {
	const size = 32 << 20 // far more than the socket buffers hold: the write is in progress
	dir := t.TempDir()
	want := writeRandomFile(t, filepath.Join(dir, "big.bin"), size)
	writeSiteFile(t, dir, "small.txt", "small")
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.Options.HTTP.Root = dir
		cfg.ShutdownTimeout = waitTimeout
	})
	c := s.dialRaw(t)
	c.send(t, httpReq("GET /big.bin HTTP/1.1", "Host: x")+httpReq("GET /small.txt HTTP/1.1", "Host: x"))
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	resp, err := http.ReadResponse(c.r, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, resp.Body, 1<<20); err != nil { // the response is under way
		t.Fatal(err)
	}
	s.Shutdown()
	s.waitLog(t, "shutdown started")
	if n, err := io.Copy(h, resp.Body); err != nil || n != size-1<<20 {
		t.Fatalf("after shutdown began: read %d more bytes, %v; want %d", n, err, size-1<<20)
	}
	if [32]byte(h.Sum(nil)) != want {
		t.Fatal("the body's sha256 differs from the file's")
	}
	if _, body := c.response(t, "GET"); body != "small" {
		t.Fatalf("the request received behind it: %q; want small", body)
	}
	c.expectEOF(t)
	select {
	case <-s.Done():
	case <-time.After(waitTimeout):
		t.Fatal("server did not stop")
	}
	s.waitLog(t, "shutdown report", "forced=0")
}

// TestHTTPShutdownIdle ensures idle keep-alive connections are closed as soon as
// the shutdown starts, not at an idle or shutdown timeout.
func TestHTTPShutdownIdle(t *testing.T) {
	s := startHTTP(t, func(cfg *actors.Config) { cfg.ShutdownTimeout = time.Minute })
	var conns []*rawClient
	for i := range 3 {
		c := s.dialRaw(t)
		c.send(t, httpReq(fmt.Sprintf("GET /?%d HTTP/1.1", i), "Host: x"))
		c.response(t, "GET")
		conns = append(conns, c)
	}
	start := time.Now()
	s.Shutdown()
	for _, c := range conns {
		c.expectEOF(t)
	}
	select {
	case <-s.Done():
	case <-time.After(waitTimeout):
		t.Fatal("server did not stop")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("shutdown with idle keep-alive connections took %v; want it at once", took)
	}
}
