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

// pendingRequest is a Request not yet answered: its ID, and whom it went to,
// so that it can be written off if that actor stops for good (writeOff).
type pendingRequest struct {
	id uint64
	to *actor.PID
}

// Request implements protocol.Conn. The request and its envelope, which
// names the connection as its sender (what protoactor's Request makes), are
// one allocation, not two. The sender is the link's PID, not ctx.Self(): the
// same actor, and the PID the reader's messages already go to, while asking
// the context (an interface call into a large, cold struct) was 0.4% of the
// server's samples at redis-benchmark -P 1.
func (l *link) Request(pid *actor.PID, msg any) uint64 {
	l.requests++
	if pid == nil { // nobody to answer it: not in flight, as one written off
		return l.requests
	}
	l.inFlight = append(l.inFlight, pendingRequest{id: l.requests, to: pid})
	r := &envelopedRequest{req: messages.ServiceRequest{ID: l.requests, Body: msg}}
	r.env = actor.MessageEnvelope{Message: &r.req, Sender: l.self}
	l.ctx.Send(pid, &r.env)
	return l.requests
}

// envelopedRequest is a ServiceRequest in its envelope.
type envelopedRequest struct {
	env actor.MessageEnvelope
	req messages.ServiceRequest
}

// Watch implements protocol.Conn.
func (l *link) Watch(pid *actor.PID) {
	if pid != nil {
		l.ctx.Watch(pid)
	}
}

// replied counts the answer to the connection's request id (the actor then
// acks input the in-flight bound held back: ackIfOwed). An answer to a
// request written off already counts for nothing.
func (l *link) replied(id uint64) {
	for i, p := range l.inFlight {
		if p.id == id {
			last := len(l.inFlight) - 1
			l.inFlight[i] = l.inFlight[last]
			l.inFlight[last] = pendingRequest{}
			l.inFlight = l.inFlight[:last]
			l.trimInFlight()
			return
		}
	}
}

// writeOff forgets the requests sent to pid, which has stopped (a
// Terminated the behavior asked for with Watch): a service stopped for good
// answers nothing, protoactor drops what was queued for it, and a request
// sent after its stop is a dead letter. Waiting for those answers would hold
// the reader's ack forever at the in-flight bound and keep a finishing
// connection (shutdown, the peer's EOF) open until it is forced; the
// behavior answers its client itself (resp's errServiceGone).
func (l *link) writeOff(pid *actor.PID) {
	if pid == nil {
		return
	}
	kept := l.inFlight[:0]
	for _, p := range l.inFlight {
		if !p.to.Equal(pid) {
			kept = append(kept, p)
		}
	}
	clear(l.inFlight[len(kept):])
	l.inFlight = kept
	l.trimInFlight()
}

// trimInFlight drops the array of a connection with nothing in flight once
// it has grown past the in-flight bound (a behavior may send more in one
// go): a quiet connection keeps no more than that.
func (l *link) trimInFlight() {
	if len(l.inFlight) == 0 && cap(l.inFlight) > protocol.MaxInFlight {
		l.inFlight = nil
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
	return len(l.inFlight) >= protocol.MaxInFlight || (l.gate != nil && !l.gate.ReadyForInput()) ||
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
// pending, no read deadline of its own, the idle timeout on, busy. It runs at Restarting, in the
// failed incarnation: protoactor makes the successor (whose constructor may
// set a deadline or say it is idle) before it delivers Started.
func (l *link) restarted() {
	l.closeRequested = false
	l.Hold(0) // the failed behavior's buffers go with it
	l.sock.SetReadDeadline(time.Time{})
	l.sock.SuspendIdleTimeout(false)
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

// SuspendIdleTimeout implements protocol.Conn.
func (l *link) SuspendIdleTimeout(suspend bool) { l.sock.SuspendIdleTimeout(suspend) }

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
