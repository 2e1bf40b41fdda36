package actors

import (
	"errors"
	"net"
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
// only when the peer has taken no data for that long, not when it takes
// data too slowly to free the kernel's send buffer within it: the kernel
// wakes a blocked writer once a third of its send buffer is free, which a
// peer reading 80 KB/s from a 128 KiB buffer takes about 0.5 s to do, twice
// the write timeout here, while it takes data every 25 ms. Before, such a
// write failed with Timeout (a 5 MB file over http to a client reading 40
// KB/s was cut after the default 10 s); now it completes.
func TestWriteTimeoutSparesSlowReader(t *testing.T) {
	const wt = 250 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error { // before the handshake: the window follows it
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	client, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := server.(*net.TCPConn).SetWriteBuffer(64 << 10); err != nil { // the kernel doubles it
		t.Fatal(err)
	}

	p := make([]byte, 256<<10)
	got := make(chan int, 1)
	go func() { // the slow reader: 2 KiB every 25 ms, until EOF
		n, buf := 0, make([]byte, 2<<10)
		for {
			m, err := client.Read(buf)
			n += m
			if err != nil {
				got <- n
				return
			}
			time.Sleep(25 * time.Millisecond) // the client's pace, not a wait for the server
		}
	}()
	l := &link{env: &connEnv{cfg: &Config{WriteTimeout: wt}}}
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
