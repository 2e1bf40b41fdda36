package actors

import (
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/observatory"
	"async_server/supervision"
)

// This file is what the actors tell the observatory (package observatory):
// a Hub, nil unless Config.Observe, that the admin endpoint, -chaos and the
// test kit read. Every report is a call on the reporting actor's own
// goroutine that takes the hub's lock for a map update; a connection's byte
// counts are atomics the hub reads when asked.

// Why a connection ended, as its "stopped" event and the
// connections_closed_total metric say. A Stop decision gives its category's
// name instead.
const (
	endPeerClosed = "peer closed"        // EOF from the peer after every reply
	endBehavior   = "closed by behavior" // the behavior asked (Conn.Close)
	endShutdown   = "shutdown"           // drained at shutdown (messages.Finish)
	endForced     = "forced"             // closed hard past -shutdown-timeout
	endEvicted    = "evicted"            // idle, closed for a client waiting at -max-conns
	endOutput     = "output limit"       // others queued too much for it (outbox.go)
	endStopped    = "stopped"            // none of the above was recorded
)

// setEnd records why the connection is ending; the first reason given wins.
// Any goroutine may call it.
func (l *link) setEnd(reason string) {
	l.ending.CompareAndSwap(nil, &reason)
}

// endReason is what setEnd recorded, or endStopped.
func (l *link) endReason() string {
	if r := l.ending.Load(); r != nil {
		return *r
	}
	return endStopped
}

// decisionEvent is a supervision decision as an observatory event about the
// child called name, of kind.
func decisionEvent(d supervision.Decision, name, kind string) observatory.Event {
	return observatory.Event{Actor: name, ActorKind: kind, Category: d.Category.String(),
		Directive: directiveName(d.Directive), Restarts: d.Restarts, Budget: d.Budget,
		Cause: fmt.Sprint(d.Cause), Injected: d.Injected}
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
