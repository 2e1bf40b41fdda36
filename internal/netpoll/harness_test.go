package netpoll

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoHandler is a Handler that does what a connection actor run inline
// does, with no actor system: it echoes each read back at once, on the
// reader's goroutine, and acks; it shuts the connection gracefully when
// reading fails, as the actor stops.
type echoHandler struct {
	c *Conn

	holdAcks atomic.Bool   // Data holds its ack back (HoldAck) instead of acking
	noAck    atomic.Bool   // Data neither acks nor holds: the test does, later
	shutAt   int64         // Data number shutAt (from 1), if set, shuts the connection hard instead of acking
	blockAt  int64         // Data number blockAt, if set, waits for unblock (a behavior that does not return) after its echo
	unblock  chan struct{} // see blockAt
	datas    atomic.Int64

	mu        sync.Mutex
	failed    []error // every Failed, in order
	closes    int     // Closed calls
	discarded int     // what the first Closed said was discarded
	lateCalls int     // Data, Ready or Failed calls after Closed
	done      chan struct{}
}

func (h *echoHandler) Data(p []byte) {
	h.late()
	noAck, hold := h.noAck.Load(), h.holdAcks.Load() // before the echo: a test may change them once it has it
	_, _ = h.c.conn.Write(p)
	switch h.datas.Add(1) {
	case h.shutAt:
		h.c.Shut(false)
		return
	case h.blockAt:
		<-h.unblock
	}
	if noAck {
		return
	}
	if hold {
		h.c.HoldAck()
		return
	}
	h.c.Ack()
}

// late counts a call after Closed.
func (h *echoHandler) late() {
	h.mu.Lock()
	if h.closes > 0 {
		h.lateCalls++
	}
	h.mu.Unlock()
}

// calls returns how many times Closed was called, and how many calls came
// after it.
func (h *echoHandler) calls() (closes, late int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closes, h.lateCalls
}

func (h *echoHandler) Ready() {}

func (h *echoHandler) Failed(err error) {
	h.late()
	h.mu.Lock()
	h.failed = append(h.failed, err)
	h.mu.Unlock()
	h.c.Shut(true)
}

func (h *echoHandler) Closed(discarded int) {
	h.mu.Lock()
	h.closes++
	first := h.closes == 1
	if first {
		h.discarded = discarded
	}
	h.mu.Unlock()
	if first {
		close(h.done)
	}
}

// failures returns the errors Failed was given so far.
func (h *echoHandler) failures() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]error(nil), h.failed...)
}

// served is one connection the engine serves for a test, and its client.
type served struct {
	c    *Conn
	h    *echoHandler
	peer net.Conn // the client's end
}

// serveEcho serves one fresh TCP connection on 127.0.0.1 with an
// echoHandler under opts (its Poller acquired here, if opts has none), and
// returns it with the client's end. Cleanup closes both and waits for the
// engine's Closed.
func serveEcho(t testing.TB, opts Options) *served {
	t.Helper()
	if opts.Poller == nil {
		opts.Poller = Acquire()
		t.Cleanup(Release) // last: after the connection is closed
	}
	s := dialServed(t, &opts)
	start(s)
	return s
}

// dialServed makes a connection served under opts, not yet started.
func dialServed(t testing.TB, opts *Options) *served {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		peer.Close()
		t.Fatal(err)
	}
	s := &served{c: new(Conn), peer: peer}
	s.h = &echoHandler{c: s.c, done: make(chan struct{})}
	s.c.Init(sc, s.h, opts)
	t.Cleanup(func() {
		peer.Close()
		s.c.Shut(false)
		s.waitClosed(t)
	})
	return s
}

// start schedules the actor's first run, a Started that does nothing: the
// reader begins on its runner after it.
func start(s *served) { s.c.Dispatcher().Schedule(func() {}) }

// waitClosed waits for the engine's Closed.
func (s *served) waitClosed(t testing.TB) {
	t.Helper()
	select {
	case <-s.h.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection was not closed")
	}
}

// echoOnce writes p to the served connection and reads it back.
func (s *served) echoOnce(t testing.TB, p []byte) {
	t.Helper()
	_ = s.peer.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := s.peer.Write(p); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(p))
	if _, err := io.ReadFull(s.peer, got); err != nil || !bytes.Equal(got, p) {
		t.Fatalf("echo: %q, %v; want %q", got, err, p)
	}
}

// readEOF reads from the client's end and fails unless the server closed it
// within 10 s.
func (s *served) readEOF(t testing.TB) {
	t.Helper()
	_ = s.peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := s.peer.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after the end: %d, %v; want EOF", n, err)
	}
}
