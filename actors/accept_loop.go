package actors

import (
	"errors"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// Accept back-off, as net/http and yamux do it: a failing Accept (out of file
// descriptors, say) is retried after 5 ms, doubling to at most 1 s, so the loop
// neither spins nor gives up on a condition that passes.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// acceptLoop is an acceptor's accept goroutine, the loop-th on its address. It
// needs a slot in slots for each connection it hands over: at the connection
// limit it holds the one client it accepted, tells the acceptor (which may close
// an idle connection to make room), and accepts no more until a slot frees; the
// kernel backlog holds later clients. It only sends messages to the acceptor
// self: ConnectionAccepted per connection, ClientWaiting at the limit, or a last
// AcceptFailed when the listener is gone. It exits when stop is closed (the
// acceptor closes the listener too) or after AcceptFailed, and closes done; the
// acceptor waits for done.
func acceptLoop(ln net.Listener, loop int, slots chan struct{}, stop <-chan struct{}, done chan<- struct{},
	root *actor.RootContext, self *actor.PID, log *logrus.Entry) {
	defer close(done)
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err == nil {
			backoff = 0
			if !waitForSlot(slots, stop, func() { root.Send(self, &messages.ClientWaiting{}) }) {
				_ = conn.Close()
				return
			}
			root.Send(self, &messages.ConnectionAccepted{Conn: conn, Loop: loop})
			continue
		}
		select {
		case <-stop: // the acceptor closed the listener
			return
		default:
		}
		if !temporary(err) {
			root.Send(self, &messages.AcceptFailed{Err: err})
			return
		}
		backoff = min(max(2*backoff, acceptBackoffMin), acceptBackoffMax)
		log.WithError(err).WithField("retry_in", backoff.String()).Warn("accept failed")
		select {
		case <-time.After(backoff):
		case <-stop:
			return
		}
	}
}

// waitForSlot takes a slot, calling atLimit first if none is free. It reports
// false if stop closed first.
func waitForSlot(slots chan struct{}, stop <-chan struct{}, atLimit func()) bool {
	if takeSlot(slots) {
		return true
	}
	atLimit()
	select {
	case slots <- struct{}{}:
		return true
	case <-stop:
		return false
	}
}

// temporary reports whether an Accept error may pass by itself (EMFILE, ENFILE,
// ECONNABORTED, ...), by the same test net/http uses.
func temporary(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
