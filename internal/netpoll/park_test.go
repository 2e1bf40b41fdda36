package netpoll

import (
	"testing"
	"time"

	"async_server/internal/leakcheck"
)

// TestHeldAckParksReader ensures a connection whose input waits (its actor
// has handled the last read and holds the ack back: HoldAck, as the memory
// budget or chat's room does) gives its goroutine back, as an idle one does:
// 50 such connections hold no goroutine between them (none has a method of
// Conn on its stack), whether the actor
// said HoldAck inside the delivery or only after the reader had begun to
// wait (the actor's run was elsewhere). The Ack each gets later resumes its
// reader on a runner: its next input is read and echoed, and a connection
// shut while it waits is closed. A busy reader leaves the sweeper's set as
// it parks.
func TestHeldAckParksReader(t *testing.T) {
	const n = 50
	opts := Options{Poller: Acquire()}
	t.Cleanup(Release) // last: after every connection is closed
	conns := make([]*served, n)
	for i := range conns {
		s := dialServed(t, &opts)
		start(s)
		if i%4 < 2 { // busy: its reader is in the sweeper's set when it parks
			for range busyReads {
				s.echoOnce(t, []byte("busy"))
			}
		}
		if i%2 == 0 {
			s.h.holdAcks.Store(true) // HoldAck inside the delivery
		} else {
			s.h.noAck.Store(true) // nothing: HoldAck comes after the reader waits
		}
		s.echoOnce(t, []byte("ping"))
		conns[i] = s
	}
	for _, s := range conns[1:] {
		if s.h.noAck.Load() {
			waitUntil(t, "the reader waits for its ack", func() bool { return s.c.acked.Load() == ackAwaited })
			s.c.HoldAck()
		}
	}
	waitUntil(t, "no goroutine serving a connection", func() bool { return connGoroutines() == 0 })
	sweeper.mu.Lock()
	swept := len(sweeper.conns)
	sweeper.mu.Unlock()
	if swept != 0 {
		t.Errorf("%d parked readers in the sweeper's set; want 0", swept)
	}
	for i, s := range conns {
		s.h.holdAcks.Store(false)
		s.h.noAck.Store(false)
		if i == n-1 {
			s.c.Shut(true) // shut while it waits: the reader ends it
			s.readEOF(t)
			continue
		}
		s.c.Ack()
		s.echoOnce(t, []byte("pong"))
	}
}

// connGoroutines counts the goroutines that serve connections: a
// reader, hot or waiting for its ack.
func connGoroutines() int { return leakcheck.Count("internal/netpoll.(*Conn).") }

// waitUntil waits for cond, polling, for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
