//go:build linux

package netpoll

import (
	"sync"
	"testing"
)

// TestShutWhileCold ensures a cold connection shut while input arrives ends
// once: whichever of the poller (the socket became readable) and Shut (its
// claim) takes the role, the connection is closed by exactly one of them, and
// its owner hears nothing after Closed.
func TestShutWhileCold(t *testing.T) {
	h := setReaderHooks(t)
	for range 20 {
		s := serveEcho(t, Options{})
		s.echoOnce(t, []byte("ping"))
		h.waitCooled(t)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = s.peer.Write([]byte("pong")) }()
		s.c.Shut(true)
		wg.Wait()
		s.peer.Close() // the drain ends at once
		s.waitClosed(t)
		if closes, late := s.h.calls(); closes != 1 || late != 0 {
			t.Fatalf("Closed %d times, %d calls after it; want once, none", closes, late)
		}
	}
}

// TestDescriptorReused ensures a connection that reuses the descriptor of
// one closed while cold is served as itself: the closed one's socket left the
// poller before it was closed, so the new one's events reach only the new
// one, and the old owner hears nothing more.
func TestDescriptorReused(t *testing.T) {
	h := setReaderHooks(t)
	p := Acquire()
	t.Cleanup(Release)
	var old *served
	oldFd, reused := -1, false
	for i := 0; i < 20 && !reused; i++ {
		s := serveEcho(t, Options{Poller: p})
		s.echoOnce(t, []byte("ping"))
		h.waitCooled(t)
		if old != nil {
			reused = fdOf(s) == oldFd
			if closes, late := old.h.calls(); closes != 1 || late != 0 {
				t.Fatalf("the old connection: Closed %d times, %d calls after it; want once, none", closes, late)
			}
		}
		s.echoOnce(t, []byte("again")) // woken from cold by its own event
		h.waitCooled(t)
		s.c.Shut(false)
		oldFd = fdOf(s)
		s.peer.Close() // its descriptor free too: the next connection's fit where these were
		s.waitClosed(t)
		old = s
	}
	if !reused {
		t.Skip("no descriptor was reused in 20 connections")
	}
}

// fdOf is the descriptor of s's server-side socket.
func fdOf(s *served) int {
	fd := -1
	_ = s.c.raw.Control(func(d uintptr) { fd = int(d) })
	return fd
}
