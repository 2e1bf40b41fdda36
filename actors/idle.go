package actors

import (
	"sync"
	"time"
)

// idleList is one listener's idle connections in the order they became idle
// (protocol.Conn.SetIdle), so that at the connection limit the connection
// supervisor finds the one idle longest in O(1) (oldest) rather than by
// looking at every connection for each waiting client. A link is put at the
// back when its behavior says it is idle and taken out when it says it is
// busy: a lock per change, taken on the connection's goroutine, and never
// held across anything but a few pointer writes.
//
// A link's idleSince is the truth, the list only an index: a link listed but
// no longer idle (its idleSince reset without SetIdle, at a restart) is
// skipped and dropped when it comes to the front.
type idleList struct {
	mu          sync.Mutex
	front, back *link // front: idle longest
}

// idle says l is idle (from now on) or busy. It only acts on a change.
func (q *idleList) idle(l *link, idle bool) {
	if idle == (l.idleSince.Load() != 0) {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.unlink(l)
	if !idle {
		l.idleSince.Store(0)
		return
	}
	l.idleSince.Store(time.Now().UnixNano()) // under mu: the list stays in idleSince order
	l.idlePrev, l.idleNext, l.idleListed = q.back, nil, true
	if q.back != nil {
		q.back.idleNext = l
	} else {
		q.front = l
	}
	q.back = l
}

// oldest takes out and returns the link idle longest that is not shut, or
// nil if none is idle.
func (q *idleList) oldest() *link {
	q.mu.Lock()
	defer q.mu.Unlock()
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
