package actors

import (
	"io"

	"github.com/sirupsen/logrus"

	"async_server/internal/netpoll"
	"async_server/messages"
)

// linkEvents is a link as its engine (netpoll.Conn) sees it: what the reader
// tells the connection actor, as messages, and what the close frees.
type linkEvents link

var _ netpoll.Handler = (*linkEvents)(nil)

// peerClosed is the ReadFailed of every connection whose peer closed it: one
// message, never changed, that any number of actors may hold.
var peerClosed = &messages.ReadFailed{Err: io.EOF}

// Data implements netpoll.Handler: one DataReceived, reused for every read.
func (e *linkEvents) Data(p []byte) {
	e.msg.Data = p
	e.env.root.Send(e.self, &e.msg)
}

// Ready implements netpoll.Handler.
func (e *linkEvents) Ready() { e.env.root.Send(e.self, &messages.ConnectionReady{}) }

// Failed implements netpoll.Handler.
func (e *linkEvents) Failed(err error) {
	msg := peerClosed // most connections end so: no allocation for it
	if err != io.EOF {
		msg = &messages.ReadFailed{Err: err}
	}
	e.env.root.Send(e.self, msg)
}

// Closed implements netpoll.Handler: it logs input discarded at the close and
// frees the connection's slot (only now, so -max-conns bounds open sockets,
// not just live actors), then counts the reader done.
func (e *linkEvents) Closed(discarded int) {
	l := (*link)(e)
	if discarded > 0 { // input that arrived after the connection began to close
		if en := l.env.failures.entry(l.Log(), logrus.InfoLevel); en != nil {
			en.WithField("bytes", discarded).Info("unread input discarded at close")
		}
	}
	freeSlot(l.slots) // last: the next connection's log lines come after this one's
	l.env.readers.Done()
}
