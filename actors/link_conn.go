package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/protocol"
	"async_server/messages"
)

// This file is most of protocol.Conn: what a behavior tells its connection
// across restarts (idle, unread input), what it uses to talk to service actors,
// and the in-flight bound on its requests. Every method runs inside the
// connection actor's Receive (behavior code runs nowhere else), but for
// idleSince, which the connection supervisor reads.

// Service implements protocol.Conn.
func (l *link) Service(name string) *actor.PID { return l.env.services[name] }

// Send implements protocol.Conn. The connection is the message's sender, so
// the receiver can answer or remember it.
func (l *link) Send(pid *actor.PID, msg any) {
	if pid != nil {
		l.ctx.Request(pid, msg)
	}
}

// Request implements protocol.Conn.
func (l *link) Request(pid *actor.PID, msg any) uint64 {
	l.requests++
	l.inFlight++
	l.Send(pid, &messages.ServiceRequest{ID: l.requests, Body: msg})
	return l.requests
}

// Watch implements protocol.Conn.
func (l *link) Watch(pid *actor.PID) {
	if pid != nil {
		l.ctx.Watch(pid)
	}
}

// replied counts an answer to one of the connection's requests, and lets the
// reader read again if it was held back by the in-flight bound.
func (l *link) replied() {
	if l.inFlight > 0 {
		l.inFlight--
	}
	if l.ackOwed && l.inFlight < protocol.MaxInFlight {
		l.ackOwed = false
		l.ack()
	}
}

// ackInput acks the DataReceived just handled, unless MaxInFlight requests are
// unanswered: then the ack waits for a reply (replied), and until it comes the
// reader reads nothing, so TCP pushes back on the peer.
func (l *link) ackInput() {
	if l.inFlight >= protocol.MaxInFlight {
		l.ackOwed = true
		return
	}
	l.ack()
}

// restarted forgets what the failed behavior asked of the connection, so that
// its successor starts as a fresh behavior on a fresh connection would: no close
// pending, no read deadline of its own, busy. It runs at Restarting, in the
// failed incarnation: protoactor makes the successor (whose constructor may
// set a deadline or say it is idle) before it delivers Started.
func (l *link) restarted() {
	l.closeRequested = false
	l.sock.SetReadDeadline(time.Time{})
	l.idleSince.Store(0)
}

// takeUnread returns the input the failed behavior handed back, and forgets it.
func (l *link) takeUnread() []byte {
	rest := l.unread
	l.unread = nil
	return rest
}

// SetIdle implements protocol.Conn.
func (l *link) SetIdle(idle bool) { l.env.idle.idle(l, idle) }

// Unread implements protocol.Conn.
func (l *link) Unread(p []byte) { l.unread = append(l.unread[:0], p...) }

// replyWait bounds how long a connection whose peer has closed its side waits
// for the replies it still owes (onReadFailed): they come in microseconds
// unless a service lost the request.
var replyWait = 10 * time.Second

// repliesOverdue tells the connection actor that replyWait has passed.
type repliesOverdue struct{}

// awaitReplies has the actor told repliesOverdue after replyWait. The timer's
// goroutine only sends the message, so the actor acts on its own goroutine.
func (l *link) awaitReplies() {
	if l.overdue == nil {
		self, root := l.self, l.env.root
		l.overdue = time.AfterFunc(replyWait, func() { root.Send(self, &repliesOverdue{}) })
	}
}

// stopOverdue stops awaitReplies' timer, if any: the actor is stopping.
func (l *link) stopOverdue() {
	if l.overdue != nil {
		l.overdue.Stop()
	}
}
