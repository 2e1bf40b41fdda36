package admin

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// limitListener keeps the endpoint's connections at max, as
// netutil.LimitListener did, but a connection past the limit makes room
// rather than waits behind sockets that do nothing: it closes the oldest
// connection that has sent no request yet (a silent socket, held until
// readHeaderTimeout otherwise), else the oldest idle keep-alive one, else
// the oldest whose client has stalled (conn: a reply it has not taken
// from, or a body it has not sent, for clientStall; held until writeTimeout
// or readTimeout otherwise). Only when every connection is busy and keeping
// up (a request in progress or an /events stream) does Accept wait, for one
// to end or to stall. So 32 streams and 32 silent sockets no longer lock a
// liveness probe out, nor do 64 clients that do not read their replies.
//
// The http.Server reports each connection's state to track (ConnState).
type limitListener struct {
	net.Listener
	max   int
	stall time.Duration // each connection's clientStall (conn)

	mu       sync.Mutex
	room     *sync.Cond           // signalled when a connection ends, and by Close
	conns    map[*conn]*connState // every connection accepted and not yet closed
	next     uint64               // the order of the next accepted connection
	closed   bool
	draining bool // the endpoint is closing (drain): a new connection is reset
}

// connState is what the listener knows of a connection.
type connState struct {
	order uint64 // accepted order: the lowest is the oldest
	state http.ConnState
}

func newLimitListener(ln net.Listener, max int, stall time.Duration) *limitListener {
	l := &limitListener{Listener: ln, max: max, stall: stall, conns: make(map[*conn]*connState)}
	l.room = sync.NewCond(&l.mu)
	return l
}

// Accept returns the next connection, once there is room for it. Once the
// endpoint is closing (drain) it resets each new connection and accepts
// again, until the listener is closed.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if c, err := l.admit(&conn{Conn: nc, stall: l.stall}); c != nil || err != nil {
			return c, err
		}
	}
}

// admit makes room for c and tracks it. It returns nil, nil when the
// endpoint is closing: c is reset.
func (l *limitListener) admit(c *conn) (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.conns) >= l.max && !l.closed && !l.draining {
		v, next := l.victim(time.Now())
		if v != nil {
			delete(l.conns, v)
			_ = v.Close() // its server goroutine sees the error and ends
			break
		}
		var wake *time.Timer
		if !next.IsZero() { // a busy connection stalls then unless it moves
			wake = time.AfterFunc(time.Until(next), l.wake)
		}
		l.room.Wait()
		if wake != nil {
			wake.Stop()
		}
	}
	if l.closed {
		_ = c.Close()
		return nil, net.ErrClosed
	}
	if l.draining {
		c.reset()
		return nil, nil
	}
	l.conns[c] = &connState{order: l.next, state: http.StateNew}
	l.next++
	return c, nil
}

// victim is the connection to close for a new one at now: the oldest that
// has sent nothing yet, else the oldest idle one, else the oldest stalled
// one; nil when every one is busy and keeping up, with the soonest time one
// of them stalls if it does not move (zero if none is waiting on its
// client). Call with l.mu held.
func (l *limitListener) victim(now time.Time) (*conn, time.Time) {
	var victim *conn
	var best *connState
	var bestRank int
	var next time.Time
	for c, s := range l.conns {
		r := evictRank(s.state)
		if r == 0 {
			at := c.stalledAt()
			switch {
			case at.IsZero():
				continue
			case at.After(now):
				if next.IsZero() || at.Before(next) {
					next = at
				}
				continue
			}
			r = 3
		}
		if best == nil || r < bestRank || r == bestRank && s.order < best.order {
			victim, best, bestRank = c, s, r
		}
	}
	return victim, next
}

// evictRank orders the connections victim may close: silent ones first,
// then idle ones; 0 for a busy one, which victim closes only once stalled.
func evictRank(s http.ConnState) int {
	switch s {
	case http.StateNew:
		return 1
	case http.StateIdle:
		return 2
	}
	return 0
}

// wake wakes an Accept waiting for room: a busy connection may have stalled.
func (l *limitListener) wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.room.Broadcast()
}

// track is the http.Server's ConnState hook: it follows each connection's
// state, and forgets one that has ended.
func (l *limitListener) track(nc net.Conn, state http.ConnState) {
	c, _ := nc.(*conn)
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.conns[c]
	if !ok { // closed to make room or by drain
		return
	}
	if state == http.StateClosed || state == http.StateHijacked {
		delete(l.conns, c)
		l.room.Signal()
		return
	}
	s.state = state
	if state == http.StateIdle { // its request is done: its body with it
		c.expectBody(false)
	}
	if state == http.StateActive && l.draining { // a request came on an idle connection as the endpoint closed
		c.drain()
	}
}

// drain begins the endpoint's close (Admin.Close). It resets every
// connection that has sent no request yet, and each new one: nothing is in
// flight on it, and http.Server.Shutdown would wait for it until it is 5 s
// old. It bounds the I/O of every busy one by clientStall (conn.drain): a
// client that keeps up gets its reply, one that has stopped is cut. Idle
// ones are Shutdown's to close.
func (l *limitListener) drain() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.draining = true
	for c, s := range l.conns {
		switch s.state {
		case http.StateNew:
			delete(l.conns, c)
			c.reset()
		case http.StateActive:
			c.drain()
		}
	}
	l.room.Broadcast() // an Accept waiting for room resets its connection
}

// Close closes the listener and wakes an Accept waiting for room.
func (l *limitListener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.room.Broadcast()
	l.mu.Unlock()
	return l.Listener.Close()
}
