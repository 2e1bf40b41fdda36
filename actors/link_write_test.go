package actors

import (
	"errors"
	"math"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"async_server/internal/netpoll"
	"async_server/supervision"
)

// TestWriteTimeoutNeverEarly ensures a write to a peer that does not read
// fails as Timeout only once it has been blocked for the whole write timeout,
// though the socket's deadline is armed only writeTimeout/writeSlices ahead
// and moved only when it has passed: when the deadline is about to pass as
// the write starts, and when it passed long before. It may fail later than
// that by writeTimeout/writeSlices, by another write timeout while the
// peer's kernel still took data into its receive buffer (acknowledged it),
// and by the scheduler's delay, which on a loaded machine under -race
// reached 2 s: the test only catches a write that is not ended at all (10 s
// past the timeout), and logs the lateness.
func TestWriteTimeoutNeverEarly(t *testing.T) {
	const wt = 400 * time.Millisecond
	for _, tt := range []struct {
		name  string
		armed func(l *link, nc net.Conn) // the deadline on the socket as the write starts
	}{
		{"about to pass", func(l *link, nc net.Conn) {
			if _, err := l.Write([]byte("x")); err != nil { // arms it wt/writeSlices ahead
				t.Fatalf("first write: %v", err)
			}
		}},
		{"passed", func(l *link, nc net.Conn) { armWrite(nc, &l.writeArmed, time.Now().Add(-time.Second)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			server := tcpPair(t)
			l := &link{env: &connEnv{cfg: &Config{WriteTimeout: wt}}}
			l.sock.Init(server, nil, &netpoll.Options{})
			tt.armed(l, server)
			p := make([]byte, 64<<20) // far more than loopback's socket buffers take from a peer that does not read
			start := time.Now()
			n, err := l.Write(p)
			took := time.Since(start)
			var se *supervision.Error
			if !errors.As(err, &se) || se.Category != supervision.Timeout {
				t.Fatalf("Write to a peer that does not read = %d, %v; want a Timeout", n, err)
			}
			late := took - wt
			switch {
			case took < wt:
				t.Errorf("the write failed after %v; want at least the write timeout, %v", took, wt)
			case late > wt/writeSlices+10*time.Second:
				t.Errorf("the write failed %v after the write timeout; want at most %v and the scheduler's delay", late, wt/writeSlices)
			default:
				t.Logf("failed %v after the write timeout (the bound: %v and the scheduler's delay)", late, wt/writeSlices)
			}
		})
	}
}

// tcpPair returns the server side of a loopback TCP connection whose client
// side never reads; both are closed when the test ends.
func tcpPair(t *testing.T) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return server
}

// TestWriteTimeoutSparesSlowReader ensures the write timeout ends a write
// only when the peer has taken too little data for that long, not when it
// takes data too slowly to free the kernel's send buffer within it: the
// kernel wakes a blocked writer once a third of its send buffer is free,
// which a peer reading 80 KB/s from a 128 KiB buffer takes about 0.5 s to
// do, twice the write timeout here, while it takes data every 25 ms, far
// above the default minimum rate. Before, such a write failed with Timeout
// (a 5 MB file over http to a client reading 40 KB/s was cut after the
// default 10 s); now it completes.
func TestWriteTimeoutSparesSlowReader(t *testing.T) {
	const wt = 250 * time.Millisecond
	server, client := slowPair(t)
	p := make([]byte, 256<<10)
	got := readSlowly(client, 2<<10, 25*time.Millisecond) // 80 KB/s
	l := &link{env: &connEnv{cfg: &Config{WriteTimeout: wt, MinSendRate: DefaultMinSendRate}}}
	l.sock.Init(server, nil, &netpoll.Options{})
	n, err := l.Write(p)
	server.Close()
	if err != nil || n != len(p) {
		t.Fatalf("Write to a peer that reads slowly but steadily = %d, %v; want all %d bytes", n, err, len(p))
	}
	if read := <-got; read != len(p) {
		t.Fatalf("the peer read %d bytes; want %d", read, len(p))
	}
}

// TestWriteTimeoutStopsTrickleReader ensures a peer that takes data in every
// write timeout, but less than the minimum rate asks, is stopped: it read a
// byte now and then to keep its connection for ever. The peer reads at most
// 1 KiB every 20 ms (51 KB/s, 10 KB in a 200 ms window), and the rate asks
// 1 MiB/s (210 KB a window, or what was queued, under 128 KiB): only a
// window stretched tenfold by the scheduler would let it through, and the
// next would not. Before, the write went on while the peer took anything,
// and completed.
func TestWriteTimeoutStopsTrickleReader(t *testing.T) {
	const wt = 200 * time.Millisecond
	server, client := slowPair(t)
	got := readSlowly(client, 1<<10, 20*time.Millisecond)
	l := &link{env: &connEnv{cfg: &Config{WriteTimeout: wt, MinSendRate: 1 << 20}}}
	l.sock.Init(server, nil, &netpoll.Options{})
	start := time.Now()
	n, err := l.Write(make([]byte, 256<<10))
	took := time.Since(start)
	_ = server.(*net.TCPConn).SetLinger(0) // the peer need not read the rest
	server.Close()
	var se *supervision.Error
	if !errors.As(err, &se) || se.Category != supervision.Timeout {
		t.Fatalf("Write to a peer that reads below the minimum rate = %d, %v; want a Timeout", n, err)
	}
	t.Logf("stopped after %v and %d bytes; the peer read %d", took, n, <-got)
}

// slowPair returns both sides of a loopback TCP connection whose buffers
// make a slow reader slow to free the server's send buffer: the client's
// receive buffer is 4 KiB, the server's send buffer 128 KiB. Both are closed
// when the test ends.
func slowPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error { // before the handshake: the window follows it
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	client, err = d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	if err := server.(*net.TCPConn).SetWriteBuffer(64 << 10); err != nil { // the kernel doubles it
		t.Fatal(err)
	}
	return server, client
}

// readSlowly reads c, at most chunk bytes and then a pause, until EOF or
// an error, and sends how many bytes it read.
func readSlowly(c net.Conn, chunk int, pause time.Duration) <-chan int {
	got := make(chan int, 1)
	go func() {
		n, buf := 0, make([]byte, chunk)
		for {
			m, err := c.Read(buf)
			n += m
			if err != nil {
				got <- n
				return
			}
			time.Sleep(pause) // the client's pace, not a wait for the server
		}
	}()
	return got
}

// TestKeptUp states the rule a blocked write goes on by, past each write
// timeout: the peer took at least the minimum rate's worth of the window,
// or all that was queued when it began if that was less, and at least a
// byte; with no rate, any byte.
func TestKeptUp(t *testing.T) {
	const wt = 10 * time.Second
	for _, tt := range []struct {
		acked, queued int
		wt            time.Duration
		rate          int64
		want          bool
	}{
		{0, 100 << 10, wt, 0, false},        // nothing taken
		{1, 100 << 10, wt, 0, true},         // no rate: a byte will do
		{0, 100 << 10, wt, 1024, false},     // nothing taken
		{10239, 100 << 10, wt, 1024, false}, // a byte short of 10 KiB in 10 s
		{10240, 100 << 10, wt, 1024, true},
		{500, 500, wt, 1024, true},                         // all that was queued
		{499, 500, wt, 1024, false},                        // not quite
		{1, 0, wt, 1024, true},                             // nothing was queued: a byte will do
		{0, 0, wt, 1024, false},                            // but not none
		{204, 1 << 20, 200 * time.Millisecond, 1024, true}, // 204.8 bytes, in whole ones
		{203, 1 << 20, 200 * time.Millisecond, 1024, false},
		{1 << 30, 1 << 40, wt, math.MaxInt64, false}, // rate × wt past an int64: all that was queued
		{1 << 40, 1 << 40, wt, math.MaxInt64, true},
	} {
		if got := keptUp(tt.acked, tt.queued, tt.wt, tt.rate); got != tt.want {
			t.Errorf("keptUp(%d, %d, %v, %d) = %v; want %v", tt.acked, tt.queued, tt.wt, tt.rate, got, tt.want)
		}
	}
}

// TestTLSSocketKeepsCallersDeadline ensures a write deadline crypto/tls sets
// itself holds as set: its close_notify (tls.Conn.CloseWrite, Close) is
// written under a deadline 5 s ahead, lest it block for ever on a peer that
// does not read, and the socket under it extended that by the whole write
// timeout, as it does its own deadlines: a TLS connection closed gracefully
// with its send buffer full held its socket 5 s + -write-timeout + the
// drain (15.5 s at the defaults; 6.1 s measured with a 200 ms write
// timeout). Here the deadline is 100 ms ahead and the write timeout a
// minute: the write must fail at the deadline, not a minute later.
func TestTLSSocketKeepsCallersDeadline(t *testing.T) {
	server := tcpPair(t) // its peer never reads
	s := &tlsSocket{Conn: server}
	s.timeout.Store(int64(time.Minute)) // as the link's first write leaves it
	if err := s.SetWriteDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Write(make([]byte, 64<<20))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Write under the caller's deadline = %v; want it exceeded", err)
		}
	case <-time.After(30 * time.Second): // half the write timeout: the deadline was extended
		server.Close()
		<-done
		t.Fatal("the write went on 30 s past the caller's 100 ms deadline; want it to fail at the deadline")
	}
}
