package actors

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// readerHooks counts read buffers taken and not returned, and signals every
// reader that goes cold, for the servers one test starts.
type readerHooks struct {
	out    atomic.Int64
	cooled chan struct{}
}

func setReaderHooks(t *testing.T) *readerHooks {
	t.Helper()
	h := &readerHooks{cooled: make(chan struct{}, 16)}
	testHookBuffers = func(d int) { h.out.Add(int64(d)) }
	testHookCooled = func() {
		select {
		case h.cooled <- struct{}{}:
		default:
		}
	}
	t.Cleanup(func() { testHookBuffers, testHookCooled = nil, nil }) // after the server's own cleanup
	return h
}

// waitCooled waits until a reader has gone cold.
func (h *readerHooks) waitCooled(t *testing.T) {
	t.Helper()
	select {
	case <-h.cooled:
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not go cold")
	}
}

// waitNoBuffers waits until no read buffer is out. A reader that waits takes
// one for a moment each time it finds the socket readable (or not yet), so
// the count is polled; a buffer held while idle keeps it above zero.
func (h *readerHooks) waitNoBuffers(t *testing.T) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for h.out.Load() != 0 {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%d read buffers held by an idle connection; want 0", h.out.Load())
		}
	}
}

// echoServer starts an echo server with idle timeout idle and connects to it.
func echoServer(t *testing.T, idle time.Duration) (*Server, net.Conn) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Behavior = "echo"
	cfg.IdleTimeout = idle
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	srv, c := startAndDial(t, cfg)
	t.Cleanup(func() { stopAndWait(t, srv) })
	return srv, c
}

// echoOnce writes p to c and reads it back.
func echoOnce(t *testing.T, c net.Conn, p []byte) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(p); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(p))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, p) {
		t.Fatalf("echo: %q, %v; want %q", got, err, p)
	}
}

// TestIdleReaderHoldsNoBuffer ensures a connection between messages holds no
// read buffer: the reader takes one for a read and returns it once the actor
// has handled the input, and a reader gone cold (its socket watched by the
// poller, no goroutine waiting) still gets the next message, in full, larger
// than one buffer.
func TestIdleReaderHoldsNoBuffer(t *testing.T) {
	h := setReaderHooks(t)
	_, c := echoServer(t, 0)
	echoOnce(t, c, []byte("ping"))
	h.waitCooled(t)
	h.waitNoBuffers(t)
	echoOnce(t, c, bytes.Repeat([]byte("x"), 3*readBufferSize+7))
	h.waitCooled(t)
	h.waitNoBuffers(t)
}

// TestHotReaderWaitsWithoutBuffer ensures a hot reader, waiting on its runner
// for the next input within its spell, holds no read buffer either: it waits
// in the netpoller and takes a buffer only to read (readHot). With a spell
// longer than the test, the reader never goes cold.
func TestHotReaderWaitsWithoutBuffer(t *testing.T) {
	savedFor, savedNew := hotFor, hotForNew
	hotFor, hotForNew = time.Hour, time.Hour
	t.Cleanup(func() { hotFor, hotForNew = savedFor, savedNew })
	h := setReaderHooks(t)
	_, c := echoServer(t, 0)
	for _, p := range [][]byte{[]byte("ping"), bytes.Repeat([]byte("x"), 3*readBufferSize+7)} {
		echoOnce(t, c, p)
		h.waitNoBuffers(t)
	}
	select {
	case <-h.cooled:
		t.Fatal("the reader went cold within an hour's spell")
	default:
	}
}

// TestIdleDeadlineWhileWaiting ensures the idle timeout still ends a
// connection whose reader waits for readability: cold (after hotFor; the
// poller's timer) as hot (before it; the socket's read deadline).
func TestIdleDeadlineWhileWaiting(t *testing.T) {
	for _, tt := range []struct {
		name string
		hot  time.Duration // hotFor and hotForNew
		cold bool
	}{
		{"cold", hotForNew, true},
		{"hot", time.Minute, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := setReaderHooks(t)
			old, oldNew := hotFor, hotForNew
			t.Cleanup(func() { hotFor, hotForNew = old, oldNew }) // after the server has stopped
			hotFor, hotForNew = tt.hot, tt.hot
			_, c := echoServer(t, 2*time.Second) // far beyond hotForNew: in "cold" the reader goes cold well before the idle timeout
			echoOnce(t, c, []byte("ping"))
			if tt.cold {
				h.waitCooled(t)
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := c.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatal("the idle connection was not closed")
				}
				t.Fatalf("read after the idle timeout: %d, %v; want EOF", n, err)
			}
		})
	}
}

// TestColdConnectionEnds ensures a connection whose reader has gone cold (no
// goroutine holds it) still ends when it should: when its peer closes (the
// poller wakes it to read the EOF) and when the server shuts down (shut takes
// it back from the poller).
func TestColdConnectionEnds(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(*Server, net.Conn)
	}{
		{"peer closes", func(_ *Server, c net.Conn) { _ = c.(*net.TCPConn).CloseWrite() }},
		{"shutdown", func(s *Server, _ net.Conn) { s.Shutdown() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := setReaderHooks(t)
			srv, c := echoServer(t, 0)
			echoOnce(t, c, []byte("ping"))
			h.waitCooled(t)
			tt.end(srv, c)
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := c.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
				t.Fatalf("read after the end: %d, %v; want EOF", n, err)
			}
		})
	}
}

// starvedConn is a net.Conn whose deadline has passed before its reader first
// ran (a process short of CPU): the first read times out though input waits;
// then it yields its input, and times out again once it is empty.
type starvedConn struct {
	net.Conn
	reads   int
	pending []byte
}

func (c *starvedConn) Read(p []byte) (int, error) {
	c.reads++
	if c.reads == 1 || len(c.pending) == 0 {
		return 0, os.ErrDeadlineExceeded
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

func (c *starvedConn) SetReadDeadline(time.Time) error { return nil }

// TestDiscardReadsWhatCameInTime ensures a drain whose deadline passed while
// input waited (the reader had not run) still reads that input before the
// close, so the close sends FIN, not a reset; and that it stops at the first
// look that finds nothing.
func TestDiscardReadsWhatCameInTime(t *testing.T) {
	c := &starvedConn{pending: make([]byte, 40000)}
	if n := discard(c, make([]byte, 16<<10)); n != 40000 {
		t.Errorf("discarded %d bytes; want the 40000 that waited", n)
	}
	if c.reads != 6 { // the timed-out one, three with input, then a look that finds nothing twice (a fresh grace after input, then the last)
		t.Errorf("%d reads; want 6", c.reads)
	}
}
