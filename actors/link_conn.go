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

// replied counts an answer to one of the connection's requests (the actor
// then acks input the in-flight bound held back: ackIfOwed).
func (l *link) replied() {
	if l.inFlight > 0 {
		l.inFlight--
	}
}

// ackIfOwed acks input held back once nothing holds it back any more.
func (l *link) ackIfOwed() {
	if l.ackOwed && !l.holdInput() {
		l.ackOwed = false
		l.ack()
	}
}

// holdInput reports whether the reader must wait before it reads again: the
// in-flight bound is reached, the behavior is not ready for more
// (protocol.InputGate), or the server is near its memory budget and this
// connection holds the most (budget.pause).
func (l *link) holdInput() bool {
	return l.inFlight >= protocol.MaxInFlight || (l.gate != nil && !l.gate.ReadyForInput()) ||
		l.env.budget.pause(l)
}

// resumed is the memory budget's word that it has room again (budgetResumed).
func (l *link) resumed() {
	l.budgetPaused = false
	l.ackIfOwed()
}

// ackInput acks the DataReceived just handled, unless the input must wait
// (holdInput): then the ack waits for a message that changes that (a reply,
// the budget's resumed), and until it comes the reader reads nothing, so TCP
// pushes back on the peer. Meanwhile the reader keeps no read buffer
// (HoldAck: the behavior is done with the input).
func (l *link) ackInput() {
	if l.holdInput() {
		l.ackOwed = true
		l.sock.HoldAck()
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
	l.Hold(0) // the failed behavior's buffers go with it
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
