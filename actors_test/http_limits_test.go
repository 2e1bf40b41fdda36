package actors_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"async_server/actors"
)

// TestHTTPBadInput ensures each kind of bad request gets its status, then the
// connection closes, and the supervisor logs a decision with its category.
func TestHTTPBadInput(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		status   int
		category string
	}{
		{"malformed request line", "HELLO THERE\r\n\r\n", http.StatusBadRequest, "BadRequest"},
		{"malformed header", httpReq("GET / HTTP/1.1", "Host: x", "bad header"), http.StatusBadRequest, "BadRequest"},
		{"missing Host", httpReq("GET / HTTP/1.1"), http.StatusBadRequest, "BadRequest"},
		{"HTTP/2.0", httpReq("GET / HTTP/2.0", "Host: x"), http.StatusHTTPVersionNotSupported, "BadRequest"},
		{"HTTP/3.0", httpReq("GET / HTTP/3.0", "Host: x"), http.StatusHTTPVersionNotSupported, "BadRequest"},
		{"header over the limit", httpReq("GET / HTTP/1.1", "Host: x", "X-Big: "+strings.Repeat("a", 5000)),
			http.StatusRequestHeaderFieldsTooLarge, "TooLarge"},
		{"Content-Length over -max-body", httpReq("POST / HTTP/1.1", "Host: x", "Content-Length: 1025"),
			http.StatusRequestEntityTooLarge, "TooLarge"},
		{"chunked body over -max-body", httpReq("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
			"800\r\n" + strings.Repeat("b", 0x800) + "\r\n0\r\n\r\n", http.StatusRequestEntityTooLarge, "TooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startHTTP(t, func(cfg *actors.Config) {
				cfg.Options.HTTP.MaxHeaderBytes = 4096
				cfg.Options.HTTP.MaxBody = 1024
			})
			c := s.dialRaw(t)
			c.send(t, tt.in)
			resp, body := c.response(t, "GET")
			if resp.StatusCode != tt.status || !resp.Close {
				t.Errorf("status %d, close %v (%q); want %d and close", resp.StatusCode, resp.Close, body, tt.status)
			}
			c.expectEOF(t)
			s.waitLog(t, "supervision decision", "category="+tt.category, "directive=Stop")
		})
	}
}

// TestHTTPDefaultHeaderLimit ensures the default header limit is 1 MiB: a head
// just under it is served, one over it gets 431.
func TestHTTPDefaultHeaderLimit(t *testing.T) {
	s := startHTTP(t, nil)
	c := s.dialRaw(t)
	c.send(t, httpReq("GET /nope HTTP/1.1", "Host: x", "X-Big: "+strings.Repeat("a", 1<<20-100)))
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a head under 1 MiB: %d; want 404", resp.StatusCode)
	}
	c.send(t, httpReq("GET /nope HTTP/1.1", "Host: x", "X-Big: "+strings.Repeat("a", 1<<20)))
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a head over 1 MiB: %d; want 431", resp.StatusCode)
	}
	s.waitLog(t, "supervision decision", "category=TooLarge")
}

// TestHTTPSlowloris ensures a client that trickles its head gets 408 and is
// closed once the header timeout passes (trickling does not extend it), one that
// stops halfway too, and another client is served all the while.
func TestHTTPSlowloris(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	s := startHTTP(t, func(cfg *actors.Config) { cfg.Options.HTTP.HeaderTimeout = headerTimeout })
	stalled := s.dialRaw(t)
	stalled.send(t, "GET / HTTP/1.1\r\nHost: x\r\n")
	trickler := s.dialRaw(t)
	trickler.send(t, "GET / HTTP/1.1\r\n")
	start := time.Now()
	done := make(chan struct{})
	defer close(done)
	go trickle(trickler, 20*time.Millisecond, "X-A: b\r\n", done) // one header line every 20 ms
	c := httpClient(t)
	for i := 0; time.Since(start) < headerTimeout; i++ { // served while the others stall
		if resp, _ := httpGet(t, c, "GET", s.url("/"), nil); resp.StatusCode != 200 {
			t.Fatalf("a normal client got %d while slowloris clients stalled", resp.StatusCode)
		}
	}
	for name, rc := range map[string]*rawClient{"stalled": stalled, "trickler": trickler} {
		resp, _ := rc.response(t, "GET")
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("%s client got %d; want 408", name, resp.StatusCode)
		}
		if took := time.Since(start); took > 10*headerTimeout {
			t.Errorf("%s client answered after %v; want about %v", name, took, headerTimeout)
		}
		rc.expectEOF(t)
	}
	s.waitLog(t, "supervision decision", "category=Timeout", "directive=Stop")
}

// trickle writes p to c every period until done is closed or a write fails
// (the server closed the connection): a slow client.
func trickle(c net.Conn, period time.Duration, p string, done <-chan struct{}) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if _, err := io.WriteString(c, p); err != nil {
				return
			}
		}
	}
}
