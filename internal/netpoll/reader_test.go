package netpoll

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// readerHooks counts read buffers taken and not returned, and signals every
// reader that goes cold, for the connections one test serves.
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
	t.Cleanup(func() { testHookBuffers, testHookCooled = nil, nil }) // after the connection's own cleanup
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

// TestIdleReaderHoldsNoBuffer ensures a connection between messages holds no
// read buffer: the reader takes one for a read and returns it once the actor
// has handled the input, and a reader gone cold (its socket watched by the
// poller, no goroutine waiting) still gets the next message, in full, larger
// than one buffer.
func TestIdleReaderHoldsNoBuffer(t *testing.T) {
	h := setReaderHooks(t)
	s := serveEcho(t, Options{})
	s.echoOnce(t, []byte("ping"))
	h.waitCooled(t)
	h.waitNoBuffers(t)
	s.echoOnce(t, bytes.Repeat([]byte("x"), 3*readBufferSize+7))
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
	s := serveEcho(t, Options{})
	for _, p := range [][]byte{[]byte("ping"), bytes.Repeat([]byte("x"), 3*readBufferSize+7)} {
		s.echoOnce(t, p)
		h.waitNoBuffers(t)
	}
	select {
	case <-h.cooled:
		t.Fatal("the reader went cold within an hour's spell")
	default:
	}
}

// TestHeldAckHoldsNoBuffer ensures a reader whose actor has handled its
// input and holds the ack back (the memory budget pausing a connection that
// holds much, a behavior not ready for more) waits without its read buffer:
// 1 000 paused connections held 16 MiB of buffers outside the budget. Once
// acked it reads, and delivers, as before.
func TestHeldAckHoldsNoBuffer(t *testing.T) {
	savedFor, savedNew := hotFor, hotForNew
	hotFor, hotForNew = time.Hour, time.Hour // the reader waits hot, on its runner, with the buffer it read into
	t.Cleanup(func() { hotFor, hotForNew = savedFor, savedNew })
	h := setReaderHooks(t)
	s := serveEcho(t, Options{})
	s.h.holdAcks.Store(true)
	s.echoOnce(t, []byte("ping"))
	h.waitNoBuffers(t)
	s.h.holdAcks.Store(false)
	s.c.Ack()
	s.echoOnce(t, bytes.Repeat([]byte("x"), 3*readBufferSize+7))
	h.waitNoBuffers(t)
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
			t.Cleanup(func() { hotFor, hotForNew = old, oldNew }) // after the connection has closed
			hotFor, hotForNew = tt.hot, tt.hot
			s := serveEcho(t, Options{IdleTimeout: 2 * time.Second}) // far beyond hotForNew: in "cold" the reader goes cold well before the idle timeout
			s.echoOnce(t, []byte("ping"))
			if tt.cold {
				h.waitCooled(t)
			}
			_ = s.peer.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := s.peer.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
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
// poller wakes it to read the EOF) and when its owner shuts it (Shut takes it
// back from the poller), and that either way the engine closes it once.
func TestColdConnectionEnds(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(*served)
	}{
		{"peer closes", func(s *served) { _ = s.peer.(*net.TCPConn).CloseWrite() }},
		{"shut", func(s *served) { s.c.Shut(true) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := setReaderHooks(t)
			s := serveEcho(t, Options{})
			s.echoOnce(t, []byte("ping"))
			h.waitCooled(t)
			tt.end(s)
			s.readEOF(t)
			s.waitClosed(t)
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
	if n := Discard(c, make([]byte, 16<<10)); n != 40000 {
		t.Errorf("discarded %d bytes; want the 40000 that waited", n)
	}
	if c.reads != 6 { // the timed-out one, three with input, then a look that finds nothing twice (a fresh grace after input, then the last)
		t.Errorf("%d reads; want 6", c.reads)
	}
}
