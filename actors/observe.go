package actors

import (
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/logs"
	"async_server/observatory"
	"async_server/supervision"
)

// This file is what the actors tell the observatory (package observatory):
// a Hub, nil unless Config.Observe, that the admin endpoint, -chaos and the
// test kit read. Every report is a call on the reporting actor's own
// goroutine that takes the hub's lock for a map update; a connection's byte
// counts are atomics the hub reads when asked.

// observeOpened tells the observatory of a new connection. The actor calls
// it in its first Started, before the reader starts: so a connection is
// listed before it has served a byte, and a fault aimed at it (by remote
// address, say) finds an actor to fail. (The connection supervisor, which spawns the actor,
// could be overtaken by the connection's first round trip.)
func (l *link) observeOpened() {
	if hub := l.env.hub; hub != nil { // no remote address string per connection for nobody
		hub.Opened(observatory.Conn{ID: l.id, Listener: l.env.listener, Behavior: l.env.behavior,
			Remote: l.sock.NetConn().RemoteAddr().String(), Stats: &l.stats})
	}
}

// Why a connection ended, as its "stopped" event and the
// connections_closed_total metric say. A Stop decision gives its category's
// name instead.
// A small number, not a string, so that recording it costs the close path
// no allocation.
type endCause int32

const (
	endStopped    endCause = iota // none of the below was recorded
	endPeerClosed                 // EOF from the peer after every reply
	endBehavior                   // the behavior asked (Conn.Close)
	endShutdown                   // drained at shutdown (messages.Finish)
	endForced                     // closed hard past -shutdown-timeout
	endEvicted                    // idle, closed for a client waiting at -max-conns
	endOutput                     // others queued too much for it (outbox.go)
	endBudget                     // it held the most when the memory budget was exceeded (budget.go)
	endDecision                   // a Stop decision: endDecision + its category
)

var endNames = [...]string{"stopped", "peer closed", "closed by behavior", "shutdown", "forced", "evicted", "output limit", "memory budget"}

// failed reports whether a connection that ended so ended on a failure (a
// Stop decision, the output limit) rather than in order.
func (c endCause) failed() bool { return c == endOutput || c >= endDecision }

// endByDecision is the cause of a connection a Stop decision ends.
func endByDecision(c supervision.Category) endCause { return endDecision + endCause(c) }

func (c endCause) String() string {
	if c >= endDecision {
		return supervision.Category(c - endDecision).String()
	}
	return endNames[c]
}

// setEnd records why the connection is ending; the first cause given wins.
// Any goroutine may call it.
func (l *link) setEnd(c endCause) { l.ending.CompareAndSwap(int32(endStopped), int32(c)) }

// endReason is what setEnd recorded, or "stopped".
func (l *link) endReason() string { return endCause(l.ending.Load()).String() }

// decisionEvent is a supervision decision as an observatory event about the
// child called name, of kind. Its cause is cut as a log field is: it may quote
// a client's input, and the hub keeps it and sends it to every subscriber.
func decisionEvent(d supervision.Decision, name, kind string) observatory.Event {
	return observatory.Event{Actor: name, ActorKind: kind, Category: d.Category.String(),
		Directive: directiveName(d.Directive), Restarts: d.Restarts, Budget: d.Budget,
		Cause: logs.Cut(fmt.Sprint(d.Cause), logs.MaxValue), Injected: d.Injected}
}

// directiveName is "Restart" or "Stop".
func directiveName(d actor.Directive) string {
	return strings.TrimSuffix(d.String(), "Directive")
}

// watchDeadLetters counts dead letters for the hub; the returned func stops it.
func watchDeadLetters(sys *actor.ActorSystem, hub *observatory.Hub) func() {
	if hub == nil {
		return func() {}
	}
	sub := sys.EventStream.Subscribe(func(evt any) {
		if _, ok := evt.(*actor.DeadLetterEvent); ok {
			hub.DeadLetter()
		}
	})
	return func() { sys.EventStream.Unsubscribe(sub) }
}
