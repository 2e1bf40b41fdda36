package netpoll

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestSuspendIdleTimeout ensures a connection whose idle timeout is
// suspended outlives it, and times out once it is restored, read by the
// poller's runners and cold (the deadline re-keyed) and by a goroutine of
// its own (a read that waits under the idle deadline armed before the
// suspension goes on: before, that read's deadline error ended the
// connection). Two connections opened after the suspension and left idle
// are the clock: once both have timed out, so would the suspended one have.
func TestSuspendIdleTimeout(t *testing.T) {
	for _, mode := range []struct {
		name string
		poll bool
	}{{"poller", true}, {"held", false}} {
		t.Run(mode.name, func(t *testing.T) {
			opts := Options{IdleTimeout: 300 * time.Millisecond}
			if mode.poll {
				opts.Poller = Acquire()
				t.Cleanup(Release)
			}
			a := dialServed(t, &opts)
			start(a)
			a.echoOnce(t, []byte("armed")) // the reader now waits under the idle deadline
			a.c.SuspendIdleTimeout(true)
			for range 2 {
				ref := dialServed(t, &opts)
				start(ref)
				ref.waitClosed(t)
				if !timedOut(ref.h.failures()) {
					t.Fatalf("the idle connection ended with %v; want a deadline error", ref.h.failures())
				}
			}
			if f := a.h.failures(); len(f) > 0 {
				t.Fatalf("the suspended connection failed: %v", f)
			}
			a.echoOnce(t, []byte("still here"))

			a.c.SuspendIdleTimeout(false)
			a.waitClosed(t)
			if !timedOut(a.h.failures()) {
				t.Fatalf("restored, it ended with %v; want a deadline error", a.h.failures())
			}
		})
	}
}

// timedOut says whether the first failure is a read deadline's.
func timedOut(failures []error) bool {
	return len(failures) > 0 && errors.Is(failures[0], os.ErrDeadlineExceeded)
}
