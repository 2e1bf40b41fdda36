//go:build linux

package netpoll

import (
	"errors"
	"math"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestColdDeadlineMovedEarlier ensures a read deadline set while the
// connection is cold takes effect at once: the poller re-keys its entry, so
// the connection ends at the new deadline rather than at its next input.
func TestColdDeadlineMovedEarlier(t *testing.T) {
	h := setReaderHooks(t)
	s := serveEcho(t, Options{}) // no idle timeout: only the behavior's deadline ends it
	s.echoOnce(t, []byte("ping"))
	h.waitCooled(t)
	s.c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	s.readEOF(t)
	if f := s.h.failures(); len(f) != 1 || !errors.Is(f[0], os.ErrDeadlineExceeded) {
		t.Fatalf("failures %v; want one deadline error", f)
	}
}

// TestColdDeadlineMovedLater ensures a read deadline moved later while the
// connection is cold (a restart's fresh behavior, a HandleMessage) is the one
// kept: the connection does not end at the old one.
func TestColdDeadlineMovedLater(t *testing.T) {
	h := setReaderHooks(t)
	s := serveEcho(t, Options{})
	s.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	s.echoOnce(t, []byte("ping"))
	h.waitCooled(t)
	later := time.Now().Add(time.Second)
	s.c.SetReadDeadline(later)
	s.readEOF(t)
	if early := time.Until(later); early > 0 {
		t.Fatalf("the connection ended %v before its deadline", early)
	}
}

// TestWaitMillisCapped ensures the poller's wait for a far deadline (an idle
// timeout of 720h) is a positive number of milliseconds epoll takes: past
// 2^31 ms it would turn negative, "wait forever".
func TestWaitMillisCapped(t *testing.T) {
	p := &Poller{epoch: time.Now()}
	c := &Conn{in: input{due: -1}}
	p.due.add(c, 720*time.Hour)
	if got := p.waitMillis(); got <= 0 || got > math.MaxInt32 {
		t.Fatalf("waitMillis() = %d for a deadline in 720h; want within (0, %d]", got, math.MaxInt32)
	}
}

// TestEpollRefusedFallsBack ensures a connection whose socket epoll refuses
// (ENOSPC) is read by a blocking reader, as a TLS connection is, instead of
// asking epoll again at every hot spell's end; and that it is still served,
// and still ends at its idle timeout.
func TestEpollRefusedFallsBack(t *testing.T) {
	var adds atomic.Int32
	epollCtl = func(epfd, op, fd int, ev *syscall.EpollEvent) error {
		if op == syscall.EPOLL_CTL_ADD {
			adds.Add(1)
			return syscall.ENOSPC
		}
		return syscall.EpollCtl(epfd, op, fd, ev)
	}
	t.Cleanup(func() { epollCtl = syscall.EpollCtl }) // after the connection's own cleanup
	h := setReaderHooks(t)
	s := serveEcho(t, Options{IdleTimeout: 500 * time.Millisecond})
	s.echoOnce(t, []byte("ping"))
	h.waitCooled(t)
	s.echoOnce(t, []byte("pong"))
	s.readEOF(t) // at the idle timeout: far more hot spells (2 ms, 20 ms) than one
	if n := adds.Load(); n != 1 {
		t.Fatalf("epoll asked %d times to take a socket it refused; want once", n)
	}
}

// TestDeadlinePassedWithInputWaiting ensures a deadline that passes while
// input waits (the process was stopped, as SIGSTOP or a frozen VM does, and
// nothing ran) is not taken for idleness: the input is read and served.
// The poller is held still (its lock taken) while the input arrives and the
// idle deadline passes.
func TestDeadlinePassedWithInputWaiting(t *testing.T) {
	h := setReaderHooks(t)
	s := serveEcho(t, Options{IdleTimeout: 200 * time.Millisecond})
	s.echoOnce(t, []byte("ping"))
	h.waitCooled(t)
	p := s.c.in.poll
	p.mu.Lock()
	deadline := s.c.deadline().time()
	if _, err := s.peer.Write([]byte("late")); err != nil {
		p.mu.Unlock()
		t.Fatal(err)
	}
	time.Sleep(time.Until(deadline) + 50*time.Millisecond) // the process "stopped" past the deadline
	p.mu.Unlock()
	got := make([]byte, 4)
	_ = s.peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := s.peer.Read(got); err != nil || string(got[:n]) != "late" {
		t.Fatalf("read %q, %v; want the input that waited echoed (failures: %v)", got[:n], err, s.h.failures())
	}
}

// TestLongestIdleTimeout ensures the longest idle timeout a flag takes
// (-idle-timeout 2562047h, a Duration's most) is a deadline far away, not
// one that has passed: since plus the timeout overflowed a stamp, and every
// connection ended as idle the moment it went quiet.
func TestLongestIdleTimeout(t *testing.T) {
	h := setReaderHooks(t)
	s := serveEcho(t, Options{IdleTimeout: math.MaxInt64})
	s.echoOnce(t, []byte("ping"))
	select {
	case <-h.cooled:
	case <-s.h.done:
		t.Fatalf("the connection ended as it went quiet (failures: %v)", s.h.failures())
	case <-time.After(10 * time.Second):
		t.Fatal("the reader did not go cold")
	}
	s.echoOnce(t, []byte("pong"))
}
