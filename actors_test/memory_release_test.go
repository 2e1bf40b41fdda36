package actors_test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"async_server/actors"
)

// TestTimedOutConnectionsFreed ensures connections that have ended hold
// nothing: 24 connections that send most of a 1 MiB body and time out make
// the server hold 24 MiB while they last, and once each has had its 408 and
// its close the live heap comes back within 64 KiB a connection of where it
// began, whatever protoactor still points at (its set of an acceptor's
// children keeps the PIDs of children gone, and through them their actors).
func TestTimedOutConnectionsFreed(t *testing.T) {
	const size, conns = 1 << 20, 24
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.Options.HTTP.MaxBody = size
		cfg.Options.HTTP.HeaderTimeout = 300 * time.Millisecond
	})
	req := []byte(httpReq("POST / HTTP/1.1", "Host: x", fmt.Sprintf("Content-Length: %d", size)) +
		strings.Repeat("a", size-1))
	base := heapAfterGC()
	var cs []net.Conn
	for range conns {
		c := s.dial(t)
		_ = c.SetDeadline(time.Now().Add(waitTimeout))
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	for _, c := range cs {
		reply, _ := io.ReadAll(c) // the 408, then the close
		if !strings.HasPrefix(string(reply), "HTTP/1.1 408 ") {
			t.Fatalf("a stalled body got %.40q; want a 408", reply)
		}
		c.Close()
	}
	limit := uint64(conns * 64 << 10)
	var grown uint64
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(20 * time.Millisecond) {
		h := heapAfterGC()
		if grown = h - min(base, h); grown <= limit {
			t.Logf("%d connections gone: the heap holds %d bytes more than before them", conns, grown)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections gone, each after %d body bytes: the heap still holds %d bytes more than before them; want at most %d",
				conns, size-1, grown, limit)
		}
	}
}
