package actors_test

import (
	"net/http"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// TestHTTPSilentConnectionClosed ensures a connection that sends nothing holds
// its slot only for the header timeout, not the 5 minutes of -idle-timeout, and
// is closed without a response, as net/http's ReadHeaderTimeout closes it.
func TestHTTPSilentConnectionClosed(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	s := startHTTP(t, func(cfg *actors.Config) { cfg.Options.HTTP.HeaderTimeout = headerTimeout })
	start := time.Now()
	c := s.dialRaw(t)
	c.expectEOF(t)
	// Well before the 5 minutes of -idle-timeout (expectEOF waits at most
	// waitTimeout), and not much before the header timeout: the server may keep
	// a deadline up to 1/16 early (link.rearm), and its clock started a little
	// before this one.
	if took := time.Since(start); took < headerTimeout/2 {
		t.Errorf("closed after %v; want about %v", took, headerTimeout)
	}
}

// TestHTTPKeepAliveTimeout ensures a keep-alive connection that sends no next
// request is closed after the keep-alive timeout, without a response (a client
// reusing it would take a 408 for the answer to its next request).
func TestHTTPKeepAliveTimeout(t *testing.T) {
	const keepAlive = 300 * time.Millisecond
	s := startHTTP(t, func(cfg *actors.Config) { cfg.Options.HTTP.KeepAliveTimeout = keepAlive })
	c := s.dialRaw(t)
	c.send(t, httpReq("GET / HTTP/1.1", "Host: x"))
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d; want 200", resp.StatusCode)
	}
	start := time.Now()
	c.expectEOF(t)
	// See TestHTTPSilentConnectionClosed: the server's clock started when it
	// wrote the response, before this one read it.
	if took := time.Since(start); took < keepAlive/2 {
		t.Errorf("closed after %v; want about %v", took, keepAlive)
	}
}

// TestHTTPPanicPipelined ensures a handler panic costs the client only the
// request that panicked: the requests pipelined behind it are answered in order
// by the restarted behavior, on the same socket.
func TestHTTPPanicPipelined(t *testing.T) {
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = web.New(diffHandler(web.DefaultMaxBody), web.DefaultOptions())
	})
	c := s.dialRaw(t)
	c.send(t, httpReq("GET / HTTP/1.1", "Host: x")+httpReq("GET /panic HTTP/1.1", "Host: x")+
		httpReq("GET / HTTP/1.1", "Host: x")+httpReq("GET / HTTP/1.1", "Host: x"))
	for i, want := range []int{200, 500, 200, 200} {
		if resp, _ := c.response(t, "GET"); resp.StatusCode != want {
			t.Fatalf("response %d: %d; want %d", i, resp.StatusCode, want)
		}
	}
	c.send(t, httpReq("GET / HTTP/1.1", "Host: x")) // the socket is kept
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the panic: %d; want 200", resp.StatusCode)
	}
}
