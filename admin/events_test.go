package admin

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"async_server/testkit"
)

// startAdmin starts an echo server and an endpoint beside it, both on
// 127.0.0.1 port 0; the endpoint is closed before the server stops.
func startAdmin(t *testing.T) (*testkit.Server, *Admin) {
	t.Helper()
	srv := testkit.Start(t, "echo")
	a, err := Start("127.0.0.1:0", srv.Server, srv.Server.Log())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(a.Close) // before the server's Close: registered after it
	return srv, a
}

// openStream opens GET /events and reads its first comment, so the stream
// is subscribed when it returns.
func openStream(t *testing.T, a *Admin, query string) *bufio.Reader {
	t.Helper()
	client := http.Client{Timeout: testkit.DefaultTimeout}
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
	srv, a := startAdmin(t)
	after := "?after=" + strconv.FormatUint(srv.Hub().LastSeq(), 10)
	var readers []*bufio.Reader
	for range streams {
		readers = append(readers, openStream(t, a, after))
	}
	for range conns { // each makes two events: accepted, then stopped
		c, err := net.Dial("tcp", srv.Addr)
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
