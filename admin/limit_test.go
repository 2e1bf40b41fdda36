package admin

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"async_server/testkit"
)

// TestProbeAnsweredWhenFull ensures a liveness probe is answered when the
// endpoint's maxConns connections are maxStreams /events streams and
// sockets that send nothing: the silent sockets held their slots until the
// header timeout (10 s; an hour here, so that only making room answers the
// probe), and /healthz waited behind them. Now the probe's connection
// closes the oldest silent socket, and only it: the streams and the other
// silent sockets stay.
func TestProbeAnsweredWhenFull(t *testing.T) {
	_, a := startAdmin(t, func(a *Admin) { a.headerWait = time.Hour })
	for range maxStreams {
		openStream(t, a, "?kinds=injected")
	}
	var silent []net.Conn
	for range maxConns - maxStreams {
		c, err := net.Dial("tcp", a.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		silent = append(silent, c)
	}
	client := http.Client{Timeout: testkit.DefaultTimeout}
	resp, err := client.Get("http://" + a.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz with %d streams and %d silent sockets: %v", maxStreams, len(silent), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %s; want 200", resp.Status)
	}
	_ = silent[0].SetReadDeadline(time.Now().Add(testkit.DefaultTimeout))
	if n, err := silent[0].Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("the oldest silent socket: read %d, %v; want EOF: closed to make room", n, err)
	}
	for i, c := range silent[1:] {
		_ = c.SetReadDeadline(time.Now()) // open: the read times out at once
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("silent socket %d: %v; want it still open: one was enough to make room", i+1, err)
		}
	}
}
