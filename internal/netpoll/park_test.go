package netpoll

import (
	"runtime"
	"testing"
	"time"
)

// TestHeldAckParksReader ensures a connection whose input waits (its actor
// has handled the last read and holds the ack back: HoldAck, as the memory
// budget or chat's room does) gives its goroutine back, as an idle one does:
// 50 such connections hold no goroutine between them, whether the actor
// said HoldAck inside the delivery or only after the reader had begun to
// wait (the actor's run was elsewhere). The Ack each gets later resumes its
// reader on a runner: its next input is read and echoed, and a connection
// shut while it waits is closed.
func TestHeldAckParksReader(t *testing.T) {
	const n = 50
	opts := Options{Poller: Acquire()}
	t.Cleanup(Release) // last: after every connection is closed
	base := runtime.NumGoroutine()
	conns := make([]*served, n)
	for i := range conns {
		s := dialServed(t, &opts)
		start(s)
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
	// The reaper ends the runners the readers gave back within 40 ms; a few
	// goroutines may come and go meanwhile (the reaper itself).
	waitUntil(t, "the waiting connections' goroutines given back", func() bool {
		return runtime.NumGoroutine() <= base+2
	})
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
