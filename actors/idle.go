package actors

import (
	"sync"
	"time"
)

// idleList is one listener's idle connections in the order they became idle
// (protocol.Conn.SetIdle), so that at the connection limit the connection
// supervisor finds the one idle longest in O(1) (oldest) rather than by
// looking at every connection for each waiting client. A link is put at the
// back when its behavior says it is idle (or the connection does, for a peer
// that has sent nothing yet: connActor.onData) and taken out when it is
// busy: a lock per change, taken on the connection's goroutine, and never
// held across anything but a few pointer writes.
//
// A link's idleSince is the truth, the list only an index: a link listed but
// no longer idle (its idleSince reset without SetIdle, at a restart) is
// skipped and dropped when it comes to the front.
//
// It also keeps a queued client from waiting for nothing: when the accept
// loop holds a client at the limit (queueing) and no connection is idle, the
// next connection to turn idle wakes the connection supervisor to close it.
// The loop says it holds a client (hold), the supervisor that it found no one
// to close (oldestOrWait), and idle, which lists the connection under the
// same lock, sees that and calls wake: no turn to idle is missed.
type idleList struct {
	mu          sync.Mutex
	front, back *link // front: idle longest

	held    bool   // the accept loop holds a queued client at the limit
	waiting bool   // ... and no idle connection was there to close for it
	wake    func() // tells the connection supervisor a connection turned idle (setWake)

	unread func(*link) bool // whether a link's socket holds unread input (take); nil: never
}

// idle says l is idle (from now on) or busy. It only acts on a change. A
// connection turning idle while a queued client waits for room wakes the
// connection supervisor (after the lock: wake only sends a message).
func (q *idleList) idle(l *link, idle bool) {
	if idle == (l.idleSince.Load() != 0) {
		return
	}
	q.mu.Lock()
	q.unlink(l)
	if !idle {
		l.idleSince.Store(0)
		q.mu.Unlock()
		return
	}
	q.listUnlock(l)
}

// append puts l at the back, idle since now. Call with mu held.
func (q *idleList) append(l *link) {
	l.idleSince.Store(time.Now().UnixNano()) // under mu: the list stays in idleSince order
	l.idlePrev, l.idleNext, l.idleListed = q.back, nil, true
	if q.back != nil {
		q.back.idleNext = l
	} else {
		q.front = l
	}
	q.back = l
}

// setWake sets what idle calls when a connection turns idle while a queued
// client waits: the connection supervisor sets it at each start.
func (q *idleList) setWake(wake func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wake = wake
}

// hold says whether the accept loop holds a queued client at the limit. The
// loop sets it before it asks for room and clears it once the client has a
// slot, however it got one.
func (q *idleList) hold(held bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.held, q.waiting = held, false
}

// oldestOrWait is oldest for a queued client: if none is idle while the loop
// still holds the client, the next connection to turn idle wakes the
// supervisor. With no client held (it has had a slot meanwhile) it returns
// nil: there is no one to make room for.
func (q *idleList) oldestOrWait() *link { return q.take(true) }

// oldest takes out and returns the link idle longest that is not shut and
// has no unread input, or nil if none is idle. q.unread says whether a link's
// socket holds input its reader has not read yet (netpoll.Conn.Unread): such
// a link is not idle, whatever it or its behavior said last, since its peer
// has spoken and the input will be delivered soon (a client that connected
// and sent its request at once, whose reader has not run yet). It is left out
// of the list, as if it had spoken, and the next one looked at: its delivery
// makes it busy (connActor.onData), and its behavior says when it is idle
// again. Each link is looked at once per listing, so the looking costs O(1)
// amortized. Over TLS the bytes may be the handshake's, after which the peer
// may say nothing: the connection is listed again once the handshake is done
// (relist).
func (q *idleList) oldest() *link { return q.take(false) }

// take is oldest, and oldestOrWait if held. q.unread runs without mu: it is
// a system call.
func (q *idleList) take(held bool) *link {
	for {
		q.mu.Lock()
		if held && !q.held {
			q.mu.Unlock()
			return nil
		}
		l := q.oldestLocked()
		q.waiting = held && l == nil
		q.mu.Unlock()
		if l == nil || q.unread == nil || !q.unread(l) {
			return l
		}
	}
}

// listUnlock lists l as idle last, unlocks mu, and then wakes the
// connection supervisor if a queued client waits for an idle connection.
// Call with mu held.
func (q *idleList) listUnlock(l *link) {
	q.append(l)
	wake := q.waiting && q.wake != nil
	q.waiting = false
	fn := q.wake
	q.mu.Unlock()
	if wake {
		fn()
	}
}

// relist lists l again if oldest left it out (idle, not listed): over TLS,
// once its handshake is done (connActor), since the unread input it was left
// out for may have been the handshake's. Like idle, it wakes the connection
// supervisor for a queued client that waits.
func (q *idleList) relist(l *link) {
	q.mu.Lock()
	if l.idleListed || l.idleSince.Load() == 0 {
		q.mu.Unlock()
		return
	}
	q.listUnlock(l)
}

// oldestLocked takes out and returns the link idle longest that is not
// shut, or nil if none is idle. Call with mu held.
func (q *idleList) oldestLocked() *link {
	for l := q.front; l != nil; l = q.front {
		q.unlink(l)
		if l.idleSince.Load() != 0 && !l.isShut() {
			return l
		}
	}
	return nil
}

// remove takes l out, if it is listed: its connection has ended.
func (q *idleList) remove(l *link) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.unlink(l)
}

// unlink takes l out of the list if it is in it. Call with mu held.
func (q *idleList) unlink(l *link) {
	if !l.idleListed {
		return
	}
	if l.idlePrev != nil {
		l.idlePrev.idleNext = l.idleNext
	} else {
		q.front = l.idleNext
	}
	if l.idleNext != nil {
		l.idleNext.idlePrev = l.idlePrev
	} else {
		q.back = l.idlePrev
	}
	l.idlePrev, l.idleNext, l.idleListed = nil, nil, false
}
