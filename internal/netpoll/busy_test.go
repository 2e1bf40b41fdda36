package netpoll

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestBusyReaderReadsOncePerRequest ensures a busy connection's reader makes
// one read per request of a client that waits for each reply, not two: a
// Read per request would first find the socket empty after every reply
// (readBusy). Before the raw read spanned deliveries, the busy reader's
// Read made 2 read calls per round trip.
func TestBusyReaderReadsOncePerRequest(t *testing.T) {
	var reads atomic.Int64
	testHookRead = func() { reads.Add(1) }
	t.Cleanup(func() { testHookRead = nil })
	s := serveEcho(t, Options{})
	for range busyReads + 4 { // busy from here on
		s.echoOnce(t, []byte("warm"))
	}
	const trips = 500
	before := reads.Load()
	for range trips {
		s.echoOnce(t, []byte("ping"))
	}
	// A read finds the socket empty only when the runtime reports input the
	// reader had already read (it arrived during a delivery): rare here,
	// where the client sends only after the reply.
	if got := reads.Load() - before; got > trips+trips/10 {
		t.Errorf("%d reads for %d round trips; want about one each", got, trips)
	}
}

// TestBusyReaderShutHardInDelivery ensures a hard Shut from inside a busy
// reader's delivery (an output limit, a failure) ends the connection: the
// reader holds the socket's read lock there, which a Close waits for, so
// such a Close from the reader itself would never return.
func TestBusyReaderShutHardInDelivery(t *testing.T) {
	s := dialServed(t, &Options{Poller: Acquire()})
	t.Cleanup(Release)
	s.h.shutAt = busyReads + 3
	start(s)
	for range busyReads + 2 {
		s.echoOnce(t, []byte("warm"))
	}
	s.lastThenEnd(t)
}

// TestBusyReaderShutHardWhileStuck ensures a hard Shut from elsewhere (the
// forced close at the shutdown timeout) ends the connection for the peer at
// once even while the behavior is stuck in a busy reader's delivery, inside
// the raw read whose hold on the socket a Close would wait for: the peer
// reads the end, and the socket is closed once the delivery returns.
func TestBusyReaderShutHardWhileStuck(t *testing.T) {
	s := dialServed(t, &Options{Poller: Acquire()})
	t.Cleanup(Release)
	s.h.blockAt, s.h.unblock = busyReads+3, make(chan struct{})
	start(s)
	for range busyReads + 3 { // the last one's delivery does not return
		s.echoOnce(t, []byte("warm"))
	}
	s.c.Shut(false)
	_ = s.peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := s.peer.Read(make([]byte, 1)); n != 0 || (!errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET)) {
		t.Fatalf("the client read %d, %v while the behavior was stuck; want the end (EOF or a reset)", n, err)
	}
	close(s.h.unblock)
	s.waitClosed(t)
}

// TestBusyReaderShutHardBeforeDelivery ensures a hard Shut that lands just
// as a busy reader is about to deliver does not Close the socket under the
// reader's raw read, which the Close would wait for: for as long as the
// behavior runs, for good if it is stuck there (the forced close at the
// shutdown timeout would never return). The reader says it is awake before
// it looks whether the connection is shut, and Shut the reverse, so one of
// them sees the other. The Shut runs here on the reader itself at that
// moment (testHookBusy), where such a Close never returns at all: when the
// reader looked before it said it was awake, this test failed.
func TestBusyReaderShutHardBeforeDelivery(t *testing.T) {
	shutAtThirdDelivery(t, false).lastThenEnd(t)
}

// shutAtThirdDelivery serves a connection whose reader is busy after two
// deliveries and Shuts it (gracefully or not), on the reader itself, just
// before it delivers the third: the moment a shutdown may land.
func shutAtThirdDelivery(t *testing.T, graceful bool) *served {
	s := dialServed(t, &Options{Poller: Acquire()})
	t.Cleanup(Release)
	var delivering atomic.Int32
	testHookBusy = func(c *Conn) {
		if delivering.Add(1) == 3 { // busy since two deliveries: this is the third
			c.Shut(graceful)
		}
	}
	t.Cleanup(func() { testHookBusy = nil })
	start(s)
	for delivering.Load() < 2 {
		s.echoOnce(t, []byte("warm"))
	}
	return s
}

// TestShutDeliveryCounted ensures input a busy reader read but did not
// deliver, having found the connection shut (a graceful Shut that lands just
// before the delivery: a shutdown, say), counts as discarded in Closed, as
// what the drain reads after it does: the log's "unread input discarded"
// line is the only trace of it. Before, such input went uncounted.
func TestShutDeliveryCounted(t *testing.T) {
	s := shutAtThirdDelivery(t, true)
	if _, err := s.peer.Write([]byte("last")); err != nil {
		t.Fatal(err)
	}
	s.readEOF(t) // the graceful Shut's FIN: "last" was not echoed
	_ = s.peer.(*net.TCPConn).CloseWrite()
	s.waitClosed(t)
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	if s.h.discarded != len("last") {
		t.Errorf("Closed said %d bytes were discarded; want %d (the read not delivered)", s.h.discarded, len("last"))
	}
}

// lastThenEnd sends one more request to a connection that a hard Shut is to
// end, and waits for the end: the engine's Closed, and EOF or a reset for
// the client.
func (s *served) lastThenEnd(t *testing.T) {
	t.Helper()
	if _, err := s.peer.Write([]byte("last")); err != nil {
		t.Fatal(err)
	}
	s.waitClosed(t)
	_ = s.peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 16)
	var err error
	for err == nil {
		_, err = s.peer.Read(buf)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the client read %v after a hard close; want EOF or a reset", err)
	}
}

// TestBusyReaderShutHardAwaitingAck ensures a hard Shut from elsewhere
// returns while a busy reader waits, inside its raw read, for the ack of a
// delivery whose actor runs elsewhere and does not ack (stuck): Shut acks
// before it closes, which lets the reader out of the raw read, whose hold on
// the socket the Close waits for. Without that order the forced close at the
// shutdown timeout would never return.
func TestBusyReaderShutHardAwaitingAck(t *testing.T) {
	s := dialServed(t, &Options{Poller: Acquire()})
	t.Cleanup(Release)
	start(s)
	for range busyReads + 2 {
		s.echoOnce(t, []byte("warm"))
	}
	s.h.noAck.Store(true)
	s.echoOnce(t, []byte("unacked")) // delivered: the reader now waits for its ack
	shut := make(chan struct{})
	go func() {
		s.c.Shut(false)
		close(shut)
	}()
	select {
	case <-shut:
	case <-time.After(10 * time.Second):
		t.Fatal("a hard Shut did not return while the reader waited for an ack")
	}
	s.waitClosed(t)
}
