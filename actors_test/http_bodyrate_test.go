package actors_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
)

// TestHTTPTrickledBody ensures a body trickled a byte at a time, each byte
// within the header timeout of the last, does not hold its connection forever:
// at -max-conns 2 two such clients are answered 408 and closed about a header
// timeout after their heads (the body falls behind -min-body-rate), and a
// third client, waiting in the backlog meanwhile, is served. Before the rate
// rule, every byte moved the deadline on and the third client waited forever.
func TestHTTPTrickledBody(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.MaxConns = 2
		cfg.Options.HTTP.HeaderTimeout = headerTimeout
	})
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(done); wg.Wait() }()
	start := time.Now()
	var tricklers []*rawClient
	for range 2 {
		c := s.dialRaw(t)
		// Expect: the 100 Continue says the head was parsed, the body's clock running.
		c.send(t, httpReq("POST / HTTP/1.1", "Host: x", "Content-Length: 1000000", "Expect: 100-continue"))
		if resp, _ := c.response(t, "POST"); resp.StatusCode != http.StatusContinue {
			t.Fatalf("after the head: %d; want 100 Continue", resp.StatusCode)
		}
		tricklers = append(tricklers, c)
		wg.Add(1)
		go func() { // a byte every 0.8 header timeouts, until the server closes
			defer wg.Done()
			trickle(c, headerTimeout*8/10, "a", done)
		}()
	}
	third := s.dialRaw(t) // in the backlog until a trickler's slot frees
	third.send(t, httpReq("GET / HTTP/1.1", "Host: x"))

	for i, c := range tricklers {
		resp, body := c.response(t, "POST")
		if resp.StatusCode != http.StatusRequestTimeout || !resp.Close || !strings.Contains(body, "body") {
			t.Errorf("trickler %d: %d, close %v, %q; want 408 about the body, and close", i, resp.StatusCode, resp.Close, body)
		}
		if took := time.Since(start); took > 10*headerTimeout {
			t.Errorf("trickler %d answered after %v; want about %v", i, took, headerTimeout)
		}
		c.expectEOF(t)
	}
	if resp, _ := third.response(t, "GET"); resp.StatusCode != http.StatusOK {
		t.Errorf("the third client: %d; want 200", resp.StatusCode)
	}
	s.waitLog(t, "supervision decision", "category=Timeout", "directive=Stop")
}

// TestHTTPFastThenStalledBody ensures a body sent fast and then trickled is
// timed out like one slow from its start: 20 000 bytes at once, then a byte
// every 2/3 header timeouts (each within the progress deadline), is answered
// 408 about a header timeout after the fast part. -min-body-rate used to be
// an average from the start, so the fast bytes earned 20 s at 1000 B/s and
// the connection stayed open that long (17 minutes for 1 MiB at the default
// 1 KiB/s).
func TestHTTPFastThenStalledBody(t *testing.T) {
	const headerTimeout = 300 * time.Millisecond
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.Options.HTTP.HeaderTimeout = headerTimeout
		cfg.Options.HTTP.MinBodyRate = 1000
	})
	c := s.dialRaw(t)
	c.send(t, httpReq("POST / HTTP/1.1", "Host: x", "Content-Length: 1000000")+strings.Repeat("a", 20000))
	stalled := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		trickle(c, headerTimeout*2/3, "a", done)
	}()
	defer func() { close(done); wg.Wait() }()
	resp, body := c.response(t, "POST")
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close || !strings.Contains(body, "body") {
		t.Errorf("%d, close %v, %q; want 408 about the body, and close", resp.StatusCode, resp.Close, body)
	}
	if took := time.Since(stalled); took > 10*headerTimeout {
		t.Errorf("answered %v after the fast part; want about %v", took, headerTimeout)
	}
	c.expectEOF(t)
}
