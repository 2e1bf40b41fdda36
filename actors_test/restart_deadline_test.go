package actors_test

import (
	"net/http"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// This file checks what a restart leaves to the fresh behavior: the read
// deadline and the idle flag its constructor sets (protoactor makes the fresh
// behavior before it delivers Started, so they must survive the Started).

// startPanicky starts an http server whose handler panics on /panic (a
// restart), with a header timeout of headerTimeout and an idle timeout far
// past any wait of the tests.
func startPanicky(t *testing.T, headerTimeout time.Duration, configure func(*actors.Config)) *testServer {
	t.Helper()
	opts := web.DefaultOptions()
	opts.HeaderTimeout = headerTimeout
	return startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = web.New(diffHandler(web.DefaultMaxBody), opts)
		cfg.IdleTimeout = time.Hour
		if configure != nil {
			configure(cfg)
		}
	})
}

// panicOnce makes c's behavior panic once (a 500 and a restart) and waits for
// the answer.
func panicOnce(t *testing.T, c *rawClient) {
	t.Helper()
	c.send(t, httpReq("GET /panic HTTP/1.1", "Host: x"))
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET /panic: %d; want 500", resp.StatusCode)
	}
}

// TestRestartKeepsHeaderTimeout ensures that after a restart a client that
// trickles an unfinished request head gets 408 at the header timeout, not at
// the idle timeout: the restarted behavior's deadline holds.
func TestRestartKeepsHeaderTimeout(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	s := startPanicky(t, headerTimeout, nil)
	c := s.dialRaw(t)
	panicOnce(t, c)
	start := time.Now()
	c.send(t, "GET / HTTP/1.1\r\n")
	c.send(t, "Host: x\r\n")
	resp, _ := c.response(t, "GET") // within waitTimeout, far short of the idle hour
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("unfinished head after a restart: %d; want 408", resp.StatusCode)
	}
	if took := time.Since(start); took < headerTimeout/2 {
		t.Fatalf("408 after %v; want it at the header timeout (%v)", took, headerTimeout)
	}
}

// TestRestartKeepsIdleFlag ensures a connection restarted while idle can still
// be closed as idle at the connection limit to admit a waiting client.
func TestRestartKeepsIdleFlag(t *testing.T) {
	s := startPanicky(t, time.Hour, func(cfg *actors.Config) { cfg.MaxConns = 1 })
	idle := s.dialRaw(t)
	panicOnce(t, idle)

	waiting := s.dialRaw(t)
	waiting.send(t, httpReq("GET / HTTP/1.1", "Host: x"))
	if resp, _ := waiting.response(t, "GET"); resp.StatusCode != http.StatusOK {
		t.Fatalf("waiting client: %d; want 200", resp.StatusCode)
	}
	idle.expectEOF(t)
}
