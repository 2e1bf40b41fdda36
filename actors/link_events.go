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

// Data implements netpoll.Handler: one DataReceived, reused for every read,
// put straight into the actor's mailbox (mailbox.deliver), which runs the
// actor here when it is idle.
func (e *linkEvents) Data(p []byte) {
	e.stats.In.Add(uint64(len(p)))
	e.msg.Data = p
	e.box.deliver()
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
	l.msg.Data = nil // the engine's buffer, back in its pool: not to be kept alive from here (connActor.release)
	l.freeSlot()     // last: the next connection's log lines come after this one's
	l.writeOffReader()
}

// What a link holds of its listener's slots (link.slot). It holds a
// connection slot from its making until its socket is closed; or, evicted
// to admit a waiting client, a closing slot instead from then on (evict).
const (
	slotHeld    int32 = iota // a slot of slots
	slotClosing              // a slot of env.closing
	slotFreed                // none
)

// freeSlot frees what the link holds as its socket is closed.
func (l *link) freeSlot() {
	switch l.slot.Swap(slotFreed) {
	case slotHeld:
		freeSlot(l.slots)
	case slotClosing:
		freeSlot(l.env.closing)
	}
}

// evict closes an idle connection to admit a waiting client, whose slot is
// free at once: the socket finishes closing (its drain, up to lingerMax)
// holding a closing slot, of which a listener has as many as connection
// slots, so open sockets stay under twice -max-conns. With every closing
// slot taken the connection keeps its own until its socket is closed, as
// any other does. It runs on the connection supervisor.
//
// A connection that has exchanged nothing with its peer (no input, no
// output: a client that connected and sent nothing, over TLS one that never
// finished its handshake) is closed at once, not drained: the drain keeps a
// reply in flight from being reset, and there is none. Its socket then holds
// its closing slot for no time, where a drain held it for its whole linger
// (500 ms, its peer sending nothing), so that silent clients filling the
// limit, and the backlog behind them, are evicted as fast as clients arrive,
// not at two -max-conns a second.
func (l *link) evict() {
	l.setEnd(endEvicted)
	l.shut(l.stats.In.Load() != 0 || l.stats.Out.Load() != 0)
	if takeSlot(l.env.closing) {
		if l.slot.CompareAndSwap(slotHeld, slotClosing) {
			freeSlot(l.slots)
		} else { // closed meanwhile: its slot is free already
			freeSlot(l.env.closing)
		}
	}
}
