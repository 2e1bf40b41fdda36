package netpoll

import (
	"testing"
	"time"
)

// sweptCount is how many readers the sweeper's set holds.
func sweptCount() int {
	sweeper.mu.Lock()
	defer sweeper.mu.Unlock()
	return len(sweeper.conns)
}

// TestBusyReaderSweptCold ensures a busy connection's hot spell, which no
// socket deadline ends, is ended by the sweeper: once it has made busyReads
// round trips its reader is in the sweeper's set, and when it goes quiet the
// reader goes cold (the poller then holds the role) and leaves the set, and
// the next input is served as before.
func TestBusyReaderSweptCold(t *testing.T) {
	h := setReaderHooks(t)
	old := hotFor
	t.Cleanup(func() { hotFor = old }) // after the connection has closed
	hotFor = 500 * time.Millisecond    // long enough to see the reader in the set before it cools, on a loaded machine too
	s := serveEcho(t, Options{})
	for range busyReads + 1 {
		s.echoOnce(t, []byte("ping"))
	}
	if n := sweptCount(); n != 1 {
		t.Fatalf("%d readers in the sweeper's set after %d round trips; want 1", n, busyReads+1)
	}
	h.waitCooled(t)
	waitSwept(t, 0) // the reader leaves the set just after it says it cooled
	s.echoOnce(t, []byte("after"))
}

// TestSweptReaderIdleTimeout ensures the idle timeout ends a busy connection
// whose reader waits hot in the sweeper's set (its socket has the idle
// deadline alone), and not before the timeout has passed since its last
// input: the input's deadline is as exact as a reader with a spell deadline
// keeps it (rearm: at most 1/16 of the timeout early).
func TestSweptReaderIdleTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	old := hotFor
	t.Cleanup(func() { hotFor = old })
	hotFor = time.Minute // the reader stays hot: only the idle deadline can end it
	s := serveEcho(t, Options{IdleTimeout: idle})
	for range busyReads + 1 {
		s.echoOnce(t, []byte("ping"))
	}
	quiet := time.Now() // after the last input was delivered, or very near it
	if n := sweptCount(); n != 1 {
		t.Fatalf("%d readers in the sweeper's set; want 1", n)
	}
	s.readEOF(t)
	if took, least := time.Since(quiet), idle-idle/16; took < least {
		t.Errorf("the idle connection was closed %v after its last input; want at least %v", took, least)
	}
	waitSwept(t, 0)
}

// waitSwept waits until the sweeper's set holds n readers.
func waitSwept(t *testing.T, n int) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for sweptCount() != n {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%d readers in the sweeper's set; want %d", sweptCount(), n)
		}
	}
}
