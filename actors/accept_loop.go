package actors

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// Accept back-off, as net/http and yamux do it: a failing Accept (out of file
// descriptors, say) is retried after 5 ms, doubling to at most 1 s, so the loop
// neither spins nor gives up on a condition that passes. Unlike theirs, a
// success does not forget it: with descriptors short and clients churning,
// Accept fails and succeeds by turns, and starting again from 5 ms each time
// would retry (and warn) once per accepted client. It is forgotten only once
// Accept has gone acceptBackoffMax without failing.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// acceptLoop is an acceptor's accept goroutine. It needs a slot in slots for
// each connection it hands over: at the connection limit it holds the one
// client it accepted and tells the connection supervisor (which may close an
// idle connection to make room). Then, queueing, it accepts no more until a
// slot frees, and the kernel backlog holds later clients; rejecting (reject
// not nil), it turns the client away unless room is being made. It only sends
// messages: ConnectionAccepted per connection and ClientWaiting at the limit
// to the connection supervisor conns, and a last AcceptFailed to its acceptor
// self when the listener is gone. It exits when stop is closed (the acceptor
// closes the listener too) or after AcceptFailed, closes reject, and closes
// done; the acceptor waits for done.
type acceptLoop struct {
	ln     net.Listener
	slots  chan struct{}
	stop   <-chan struct{}
	done   chan<- struct{}
	root   *actor.RootContext
	self   *actor.PID // the acceptor
	conns  *actor.PID // the listener's connection supervisor
	log    *logrus.Entry
	budget *logBudgets // the listener's: "accept failed" lines are within it
	reject *rejecter   // nil: queue at the limit
	idle   *idleList   // the listener's idle connections: told while a queued client is held

	backoffMin, backoffMax time.Duration
}

func (l *acceptLoop) run() {
	defer close(l.done)
	if l.reject != nil {
		defer l.reject.close()
	}
	var backoff time.Duration
	var failed time.Time // the last failure
	for {
		conn, err := l.ln.Accept()
		if err == nil {
			if !l.admit(conn) {
				return
			}
			continue
		}
		select {
		case <-l.stop: // the acceptor closed the listener
			return
		default:
		}
		if listenerGone(err) {
			l.root.Send(l.self, &messages.AcceptFailed{Err: err})
			return
		}
		if time.Since(failed) >= l.backoffMax {
			backoff = 0
		}
		backoff = min(max(2*backoff, l.backoffMin), l.backoffMax)
		if e := l.budget.entry(l.log, logrus.WarnLevel); e != nil {
			e.WithError(err).WithField("retry_in", backoff.String()).Warn("accept failed")
		}
		select {
		case <-time.After(backoff):
		case <-l.stop:
			return
		}
		failed = time.Now()
	}
}

// admit hands conn to the connection supervisor once it has a slot, or turns
// it away when rejecting and the supervisor has no idle connection to close
// for it. It reports
// false, with conn closed, if stop closed first.
func (l *acceptLoop) admit(conn net.Conn) bool {
	if !takeSlot(l.slots) {
		switch {
		case l.askForRoom(): // queueing, or an idle connection is closing
			ok := waitForSlot(l.slots, l.stop)
			l.hold(false)
			if !ok {
				_ = conn.Close()
				return false
			}
		case !takeSlot(l.slots): // a slot may have freed while the supervisor looked
			l.reject.reject(conn)
			return true
		}
	}
	l.root.Send(l.conns, &messages.ConnectionAccepted{Conn: conn})
	return true
}

// askForRoom tells the connection supervisor a client waits (ClientWaiting).
// Queueing, it reports true at once: the client waits for a slot whatever the
// supervisor does. Rejecting, it waits for the answer: whether an idle
// connection is closing to make room. Stopping counts as yes: waitForSlot
// then sees stop.
func (l *acceptLoop) askForRoom() bool {
	if l.reject == nil {
		l.hold(true) // from now on a connection turning idle makes room, until the client has a slot
		l.root.Send(l.conns, &messages.ClientWaiting{})
		return true
	}
	room := make(chan bool, 1)
	l.root.Send(l.conns, &messages.ClientWaiting{Room: room})
	select {
	case made := <-room:
		return made
	case <-l.stop:
		return true
	}
}

// hold tells the idle list whether a queued client is held at the limit.
func (l *acceptLoop) hold(held bool) {
	if l.idle != nil {
		l.idle.hold(held)
	}
}

// waitForSlot takes a slot, waiting for one to free. It reports false if stop
// closed first.
func waitForSlot(slots chan struct{}, stop <-chan struct{}) bool {
	select {
	case slots <- struct{}{}:
		return true
	case <-stop:
		return false
	}
}

// listenerGone reports whether an Accept error means the listener itself is
// gone: closed (under the loop: the acceptor's own close is seen by stop), or
// no longer a listening socket. Every other error is the kernel's or a
// client's trouble that passes (EMFILE, ENFILE, ENOBUFS, ENOMEM, EPROTO,
// ECONNABORTED, ENETUNREACH and the rest): accept(2) says to retry them, and
// the loop backs off and does. (net/http's test, Temporary, takes only EINTR,
// EMFILE, ENFILE and timeouts, and a listener restart for the rest stopped
// every connection.)
func listenerGone(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.EBADF) ||
		errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSOCK) || errors.Is(err, syscall.EOPNOTSUPP)
}
