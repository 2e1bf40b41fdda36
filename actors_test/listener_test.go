package actors_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/supervision"
)

// The ListenerFailed row of the supervision table: a listener whose Accept fails
// for good makes root restart the acceptor, which listens again on the same
// address; past the restart budget the server stops by itself.

// errListenerBroken is the permanent Accept error the tests inject.
var errListenerBroken = errors.New("listener broken by the test")

// breakableListeners is a cfg.Listen that wraps every listener it opens, so
// that a test can make Accept fail, or refuse to listen again.
type breakableListeners struct {
	breakAccept  atomic.Bool  // the next Accept fails with errListenerBroken
	transient    atomic.Int32 // this many Accepts fail with EMFILE, a passing condition
	refuseListen atomic.Bool  // Listen fails from now on
	listens      atomic.Int32 // listeners opened so far

	mu    sync.Mutex
	fails []syscall.Errno // the next Accepts fail with these, in order
}

// failAccepts makes the next Accepts fail with errs, one each, waking each
// with a client of its own (which the failing Accept closes).
func (b *breakableListeners) failAccepts(t testing.TB, addr string, errs ...syscall.Errno) {
	t.Helper()
	b.mu.Lock()
	b.fails = append(b.fails, errs...)
	b.mu.Unlock()
	for range errs {
		c, err := net.DialTimeout("tcp", addr, waitTimeout)
		if err != nil {
			t.Fatalf("dial %s to wake Accept: %v", addr, err)
		}
		c.Close()
	}
}

// nextFail returns the next error failAccepts queued, if any.
func (b *breakableListeners) nextFail() (syscall.Errno, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.fails) == 0 {
		return 0, false
	}
	e := b.fails[0]
	b.fails = b.fails[1:]
	return e, true
}

func (b *breakableListeners) Listen(network, address string) (net.Listener, error) {
	if b.refuseListen.Load() {
		return nil, errListenerBroken
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	b.listens.Add(1)
	return &breakableListener{Listener: ln, b: b}, nil
}

// breakNextAccept makes the next Accept fail. Accept is already waiting in the
// kernel, so a client has to connect to wake it: the connection is then closed,
// and Accept fails.
func (b *breakableListeners) breakNextAccept(t testing.TB, addr string) {
	t.Helper()
	b.breakAccept.Store(true)
	c, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		t.Fatalf("dial %s to wake Accept: %v", addr, err)
	}
	c.Close()
}

type breakableListener struct {
	net.Listener
	b *breakableListeners
}

func (l *breakableListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil && l.b.breakAccept.Swap(false) {
		c.Close()
		// As Accept on a listener closed under the loop fails: the listener is gone.
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: fmt.Errorf("%w: %w", net.ErrClosed, errListenerBroken)}
	}
	if err == nil {
		if e, ok := l.b.nextFail(); ok {
			c.Close()
			return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", e)}
		}
	}
	if err == nil && l.b.transient.Add(-1) >= 0 {
		c.Close()
		// What accept(2) returns when the process is out of file descriptors.
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return c, err
}

// TestAcceptBacksOff ensures a passing Accept failure (out of file descriptors)
// is not a ListenerFailed: the accept loop logs it, backs off 5 ms doubling, and
// goes on serving with the same listener.
func TestAcceptBacksOff(t *testing.T) {
	var b breakableListeners
	s := startEcho(t, func(cfg *actors.Config) { cfg.Listen = b.Listen })
	b.transient.Store(2)
	for range 2 { // each wakes one Accept, which fails and closes it
		c, err := net.DialTimeout("tcp", s.Addr, waitTimeout)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		c.Close()
	}
	s.dialLines(t).roundTrip(t, "after EMFILE", "after EMFILE")
	s.waitLogLine(t, logLine{"msg": "accept failed", "retry_in": "5ms", "level": "warning"})
	s.waitLogLine(t, logLine{"msg": "accept failed", "retry_in": "10ms", "level": "warning"})
	if n := s.countLogLines(t, logLine{"msg": "supervision decision"}); n != 0 {
		t.Errorf("%d supervision decisions; want none for a passing accept error", n)
	}
	if got := b.listens.Load(); got != 1 {
		t.Errorf("listeners opened = %d; want 1 (no restart)", got)
	}
}

// TestAcceptErrorsKeepConnections ensures every Accept error but a closed
// listener is backed off and retried, as accept(2) says to: ENOBUFS, ENOMEM,
// EPROTO, ECONNABORTED and ENETUNREACH restart nothing, and a live connection
// goes on being served. (Once they were ListenerFailed: the acceptor's restart
// stopped every connection it had accepted.)
func TestAcceptErrorsKeepConnections(t *testing.T) {
	var b breakableListeners
	s := startEcho(t, func(cfg *actors.Config) { cfg.Listen = b.Listen })
	live := s.dialLines(t)
	live.roundTrip(t, "before", "before")
	b.failAccepts(t, s.Addr, syscall.ENOBUFS, syscall.ENOMEM, syscall.EPROTO, syscall.ECONNABORTED, syscall.ENETUNREACH)
	s.dialLines(t).roundTrip(t, "new", "new") // accepted after the five failures
	live.roundTrip(t, "after", "after")
	if n := s.countLogLines(t, logLine{"msg": "accept failed"}); n != 5 {
		t.Errorf("%d lines \"accept failed\"; want 5", n)
	}
	if n := s.countLogLines(t, logLine{"msg": "supervision decision"}); n != 0 {
		t.Errorf("%d supervision decisions; want none for an accept error that passes", n)
	}
	if got := b.listens.Load(); got != 1 {
		t.Errorf("listeners opened = %d; want 1 (no restart)", got)
	}
}

// TestAcceptBackoffOutlivesSuccess ensures the back-off is not forgotten at
// the first Accept that succeeds: with descriptors short and clients churning,
// Accept fails and succeeds by turns, and starting again from 5 ms each time
// made one warning per accepted client.
func TestAcceptBackoffOutlivesSuccess(t *testing.T) {
	var b breakableListeners
	s := startEcho(t, func(cfg *actors.Config) { cfg.Listen = b.Listen })
	for i := range 3 {
		b.failAccepts(t, s.Addr, syscall.EMFILE)
		s.dialLines(t).roundTrip(t, fmt.Sprint(i), fmt.Sprint(i)) // a success between failures
	}
	waitFor(t, "3 lines \"accept failed\"", func() bool {
		return s.countLogLines(t, logLine{"msg": "accept failed"}) == 3
	})
	var got []string
	for _, l := range s.logLines(t) {
		if l.matches(logLine{"msg": "accept failed"}) {
			got = append(got, l["retry_in"])
		}
	}
	if want := []string{"5ms", "10ms", "20ms"}; !slices.Equal(got, want) {
		t.Errorf("retry_in of the failures = %v; want %v (a success between them does not reset it)", got, want)
	}
}

// TestListenerFailedRestartsAcceptor ensures a permanent Accept failure (the
// listener closed under its accept loop) is ListenerFailed -> Restart of the
// acceptor by root, which listens again on the same address and serves new
// clients, while the connections accepted before go on: they belong to the
// listener's connection supervisor, not to the acceptor.
func TestListenerFailedRestartsAcceptor(t *testing.T) {
	var b breakableListeners
	s := startEcho(t, func(cfg *actors.Config) { cfg.Listen = b.Listen })
	old := s.dialLines(t)
	old.roundTrip(t, "before", "before")
	b.breakNextAccept(t, s.Addr)
	l := s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "ListenerFailed"})
	checkFields(t, l, logLine{"directive": "Restart", "restarts": "1", "budget": "3",
		"listener": s.Addr, "level": "warning"})
	s.waitLogLine(t, logLine{"msg": "listening again", "listener": s.Addr})
	if got := b.listens.Load(); got != 2 {
		t.Errorf("listeners opened = %d; want 2", got)
	}
	s.dialLines(t).roundTrip(t, "served again", "served again")
	old.roundTrip(t, "still served", "still served")
}

// TestListenerFailedBeyondBudgetStopsServer ensures that when the acceptor
// cannot listen again, its restarts run out and the server stops by itself: Done
// is closed without a Shutdown, Err says why, and the log has the decision.
func TestListenerFailedBeyondBudgetStopsServer(t *testing.T) {
	var b breakableListeners
	s := startEcho(t, func(cfg *actors.Config) {
		cfg.Listen = b.Listen
		cfg.Intensity = supervision.Intensity{MaxRestarts: 2, Within: time.Minute}
	})
	c := s.dialLines(t)
	c.roundTrip(t, "before", "before")
	b.refuseListen.Store(true)
	b.breakNextAccept(t, s.Addr)
	select {
	case <-s.Done():
	case <-time.After(waitTimeout):
		t.Fatalf("server still running %v after its listener failed for good", waitTimeout)
	}
	s.stopped = true
	if err := s.Err(); err == nil {
		t.Errorf("Err() = nil; want why the server stopped")
	}
	c.expectEOF(t)
	l := s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "ListenerFailed",
		"directive": "Stop"})
	checkFields(t, l, logLine{"restarts": "3", "budget": "2"})
	s.waitLogLine(t, logLine{"msg": "shutdown report"})
	if _, err := net.DialTimeout("tcp", s.Addr, waitTimeout); err == nil {
		t.Errorf("dial %s after the server stopped: connected; want refused", s.Addr)
	}
}
