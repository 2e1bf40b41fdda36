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

// acceptLoop is an acceptor's accept goroutine. It takes a slot in sem before each
// Accept, so at the connection limit it stops accepting (the kernel backlog holds
// new clients) until the acceptor frees a slot. It only sends messages to the
// acceptor self: ConnectionAccepted per connection, or a last AcceptFailed when the
// listener is gone. It exits when stop is closed (the acceptor closes the listener
// too) or after AcceptFailed, and closes done; the acceptor waits for done.
func acceptLoop(ln net.Listener, sem chan struct{}, stop <-chan struct{}, done chan<- struct{},
	root *actor.RootContext, self *actor.PID, log *logrus.Entry) {
	defer close(done)
	var backoff time.Duration
	for {
		select {
		case sem <- struct{}{}:
		case <-stop:
			return
		}
		conn, err := ln.Accept()
		if err == nil {
			backoff = 0
			root.Send(self, &messages.ConnectionAccepted{Conn: conn})
			continue
		}
		<-sem
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

// temporary reports whether an Accept error may pass by itself (EMFILE, ENFILE,
// ECONNABORTED, ...), by the same test net/http uses.
func temporary(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
