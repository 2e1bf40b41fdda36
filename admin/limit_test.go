package admin

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
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

// TestProbeAnsweredWhenStalled ensures a liveness probe is answered when the
// endpoint's maxConns connections are clients that have stalled: that asked
// for a reply larger than their socket's buffers and read none of it, or
// announced a body and sent none. They held their slots until the write or
// read timeout (30 s), and /healthz waited behind them. Now the probe's
// connection closes the oldest stalled one, a clientStall after it stopped
// taking bytes, and only it.
func TestProbeAnsweredWhenStalled(t *testing.T) {
	for _, tc := range []struct{ name, request string }{
		{"reading nothing of a reply", "GET /tree HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
		{"sending nothing of a fault", "POST /faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"},
		{"sending nothing of a GET's body", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, a := startAdmin(t, func(a *Admin) { a.listen.Control = smallBuffers(syscall.SO_SNDBUF) })
			openConns(t, srv, treeConns)
			for range maxConns {
				stuckClient(t, a, tc.request)
			}
			waitConns(t, a, maxConns, http.StateActive)
			client := http.Client{Timeout: testkit.DefaultTimeout}
			resp, err := client.Get("http://" + a.Addr().String() + "/healthz")
			if err != nil {
				t.Fatalf("GET /healthz with %d clients %s: %v", maxConns, tc.name, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /healthz: %s; want 200", resp.Status)
			}
			client.CloseIdleConnections()
			waitConns(t, a, maxConns-1, http.StateActive) // one was enough to make room
		})
	}
}
