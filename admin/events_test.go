package admin

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/testkit"
)

// startAdmin starts an echo server and an endpoint beside it, both on
// 127.0.0.1 port 0 (configure, if not nil, adjusts the endpoint); the
// endpoint is closed before the server stops. Nothing but the endpoint
// subscribes to the server's hub.
func startAdmin(t *testing.T, configure func(*Admin)) (*actors.Server, *Admin) {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.Behavior, cfg.Observe = "echo", true
	srv, err := actors.Start(cfg)
	if err != nil {
		t.Fatalf("actors.Start: %v", err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		select {
		case <-srv.Done():
		case <-time.After(testkit.DefaultTimeout):
			t.Errorf("the server did not stop within %v", testkit.DefaultTimeout)
		}
	})
	a, err := start("127.0.0.1:0", srv, srv.Log(), configure)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(a.Close) // before the server's shutdown: registered after it
	return srv, a
}

// openStream opens GET /events and reads its first comment, so the stream
// is subscribed when it returns.
func openStream(t *testing.T, a *Admin, query string) *bufio.Reader {
	t.Helper()
	// No Timeout: it would end the stream. The comment comes with the headers.
	client := http.Client{Transport: &http.Transport{ResponseHeaderTimeout: testkit.DefaultTimeout}}
	resp, err := client.Get("http://" + a.Addr().String() + "/events" + query)
	if err != nil {
		t.Fatalf("GET /events: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || line != ": stream\n" {
		t.Fatalf("GET /events: first line %q, %v; want \": stream\"", line, err)
	}
	return r
}

// TestEventEncodedOnceForAllStreams ensures an event is encoded once however
// many streams send it: each stream encoded every event itself, so 32 open
// streams cost the server twice the CPU of the data path they watched.
func TestEventEncodedOnceForAllStreams(t *testing.T) {
	const streams, conns = 4, 5
	srv, a := startAdmin(t, nil)
	addr := srv.Addrs()[0].String()
	after := "?after=" + strconv.FormatUint(srv.Hub().LastSeq(), 10)
	var readers []*bufio.Reader
	for range streams {
		readers = append(readers, openStream(t, a, after))
	}
	for range conns { // each makes two events: accepted, then stopped
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	for i, r := range readers {
		for n := 0; n < 2*conns; {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream %d after %d events: %v", i, n, err)
			}
			if strings.HasPrefix(line, "data: ") {
				n++
			}
		}
	}
	a.frames.mu.Lock()
	got := a.frames.encoded
	a.frames.mu.Unlock()
	if got != 2*conns {
		t.Errorf("%d streams sent %d events: %d encodings; want %d", streams, 2*conns, got, 2*conns)
	}
}

// TestCloseCutsStreamBlockedOnClient ensures Close ends at once an /events
// stream blocked writing to a client that does not read: Close only closed
// quit, which such a stream does not see, so http.Server.Shutdown waited for
// the write until closeTimeout (a server's exit took 5 s instead of 0.06).
// The endpoint's own waits are an hour here: only a cut write lets Close
// return.
func TestCloseCutsStreamBlockedOnClient(t *testing.T) {
	srv, a := startAdmin(t, func(a *Admin) { a.writeWait, a.closeWait = time.Hour, time.Hour })
	addr := srv.Addrs()[0].String()
	c := stuckClient(t, a, "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	// Events until the hub drops the stream's subscription for falling
	// behind: its handler is then blocked writing to the client.
	hub, deadline := srv.Hub(), time.Now().Add(testkit.DefaultTimeout)
	for subscribed := false; !subscribed || hub.Subscribers() > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the stream was not dropped for falling behind within %v", testkit.DefaultTimeout)
		}
		subscribed = subscribed || hub.Subscribers() > 0
		if !subscribed {
			time.Sleep(time.Millisecond)
			continue
		}
		if x, err := net.Dial("tcp", addr); err == nil { // two events: accepted, stopped
			x.Close()
		}
	}
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(testkit.DefaultTimeout):
		c.Close() // unblocks the write, so that the cleanup's Close returns
		t.Fatalf("Close has not returned after %v with a stream blocked on its client", testkit.DefaultTimeout)
	}
}
