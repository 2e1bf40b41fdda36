package netpoll

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Conn is one socket the engine serves: the reader's role over it
// (reader.go), the dispatcher that runs its actor's mailbox on the
// connection's own goroutines (dispatch.go), and how it ends (Shut). Its
// owner (the connection actor's link, in package actors) keeps it for the
// connection's life, across restarts of the actor, and tells it what to do
// through Handler.
//
// The reader starts on the runner of the first mailbox run scheduled on the
// Dispatcher (the actor's Started), once that run is over, and ends by
// calling Handler.Closed, once the socket is closed.
type Conn struct {
	conn net.Conn
	// raw is conn's socket where the Poller can watch it (not TLS, whose
	// input goes through crypto/tls), set by Init: the reader reads through
	// it, and WriteNow writes; nil: conn is read on a goroutine of its own.
	raw  syscall.RawConn
	h    Handler
	opts *Options

	disp Dispatcher // runs the actor's mailbox on this connection's goroutines
	// The actor acks each Data it handled (Ack), and Shut acks too, after
	// isClosed is set, to wake a reader waiting for an ack or for the shut.
	// acked says whether an ack is given (almost always before the reader
	// looks: the actor ran on the reader) or awaited; acks, of capacity 1,
	// wakes a reader that awaits one.
	acks     chan struct{}
	acked    atomic.Int32
	isClosed atomic.Bool // set by Shut: the reader stops delivering and drains
	shutDone atomic.Bool // Shut has set the socket's wake-up deadline: drain may set its own
	peerDone atomic.Bool // the reader read the peer's EOF: nothing is left unread
	idleOff  atomic.Bool // SuspendIdleTimeout: the idle timeout does not apply
	shutOnce sync.Once

	readDeadline atomic.Int64 // the behavior's, a stamp; 0: none
	// since is when the reader began to await the next input (a stamp): its
	// last delivery, or its start. The idle deadline counts from it, and a
	// hot spell ends hotFor after it (sweep.go). Set by the reader; read by
	// the sweeper too.
	since atomic.Int64
	in    input // the reader's state: touched only by whoever holds the reader's role
}

// Handler is what the engine tells a connection's owner. Data, Ready and
// Failed are called by whoever holds the reader's role, inside a delivery: a
// mailbox run they schedule on the Dispatcher runs on that same goroutine
// before the call returns to the engine.
type Handler interface {
	// Data hands over one read's input. The reader reads nothing more until
	// Ack; p is valid until then, or until HoldAck, which says the owner is
	// done with it (the buffer is the engine's, reused).
	Data(p []byte)
	// Ready tells that a TLS connection's handshake is done: input follows.
	Ready()
	// Failed tells that reading ended with err (io.EOF: the peer closed its
	// side in order). It is the last of the three, and the owner must then
	// Shut the connection: the reader waits for that.
	Failed(err error)
	// Closed tells that the socket is closed, having discarded the given
	// number of bytes of input that came after the connection began to end.
	// It is the engine's last call for the connection.
	Closed(discarded int)
}

// Options are what every connection of a listener shares.
type Options struct {
	Poller      *Poller       // the process's (Acquire); nil: every connection reads on a goroutine of its own
	IdleTimeout time.Duration // a connection with no input for this long ends with a deadline error; 0: never
	// NotTLS is the reply, if any, to a client of a TLS listener that sent
	// head (a TLS record header's worth of plain text); nil: none.
	NotTLS func(head []byte) []byte
}

// Init makes c serve conn for h. Call it once, before the Dispatcher
// schedules anything.
func (c *Conn) Init(conn net.Conn, h Handler, opts *Options) {
	c.conn, c.h, c.opts = conn, h, opts
	c.acks = make(chan struct{}, 1)
	c.disp.conn = c
	c.in.poll, c.in.due = opts.Poller, -1
	if opts.Poller != nil {
		c.raw, _ = socket(conn)
	}
}

// TCP returns the TCP connection under conn: conn itself, or, through each
// NetConn method on the way (a tls.Conn's, the socket wrapper under it), the
// one it is made over; nil if there is none.
func TCP(conn net.Conn) *net.TCPConn {
	for {
		switch c := conn.(type) {
		case *net.TCPConn:
			return c
		case interface{ NetConn() net.Conn }:
			conn = c.NetConn()
		default:
			return nil
		}
	}
}

// NetConn is the connection Init was given: the owner writes to it.
func (c *Conn) NetConn() net.Conn { return c.conn }

// Dispatcher is the dispatcher of the connection's actor.
func (c *Conn) Dispatcher() *Dispatcher { return &c.disp }

// What acked says.
const (
	ackNone    int32 = iota // no ack since the reader last took one
	ackGiven                // an ack waits for the reader
	ackAwaited              // the reader waits on acks for one
	ackHeld                 // none yet, but the actor is done with the last Data (HoldAck)
	ackParked               // the same, and the reader has given its goroutine back: the Ack resumes it
)

// Ack lets the reader read again: the actor is done with the last Data.
// Acks not taken yet count as one. The Ack that ends a parked reader's wait
// starts it again on a runner (resume).
func (c *Conn) Ack() {
	for {
		switch s := c.acked.Load(); s {
		case ackParked:
			if c.acked.CompareAndSwap(ackParked, ackNone) { // taken: this Ack is the resumed reader's
				Go(c.resume)
				return
			}
		default:
			if c.acked.CompareAndSwap(s, ackGiven) {
				if s == ackAwaited {
					c.acks <- struct{}{} // the one send for this wait: never blocks
				}
				return
			}
		}
	}
}

// HoldAck tells the reader that the actor has handled the last Data and will
// Ack it later (its input must wait: see the owner's flow control), so that
// the reader keeps neither its read buffer nor, serving hot, its goroutine
// while it waits: it returns the buffer to the pool and parks (awaitAck),
// and the Ack resumes it on a runner. Said once the reader already waits
// (the actor ran elsewhere), it wakes the reader to do so.
func (c *Conn) HoldAck() {
	if c.acked.CompareAndSwap(ackNone, ackHeld) {
		return
	}
	if c.acked.CompareAndSwap(ackAwaited, ackHeld) {
		c.acks <- struct{}{} // as Ack's: the one send for this wait
	}
}

// awaitAck waits for an ack and takes it, and reports true: without touching
// the channel when it is there already, as it almost always is. When the
// actor holds the ack back (HoldAck), the reader's buffer goes back to the
// pool, and a reader that may park (the hot reader, on a runner) leaves the
// sweeper's set and parks instead of waiting: it reports false, and its
// caller gives the goroutine back at once, touching nothing of the reader's
// state after (the Ack may resume it on another runner at any moment).
func (c *Conn) awaitAck(park bool) bool {
	for {
		switch s := c.acked.Load(); s {
		case ackGiven:
			if c.acked.CompareAndSwap(ackGiven, ackNone) {
				return true
			}
		case ackHeld:
			c.dropBuffer()
			if park {
				c.unsweep() // a parked reader's spell is over; the sweeper must not wake it
				if c.acked.CompareAndSwap(ackHeld, ackParked) {
					return false
				}
			} else if c.acked.CompareAndSwap(ackHeld, ackAwaited) {
				<-c.acks // an Ack's, or a HoldAck's that changes nothing here
			}
		default: // ackNone: the only other state the reader can see
			if c.acked.CompareAndSwap(ackNone, ackAwaited) {
				<-c.acks
			}
		}
	}
}

// takeAck is awaitAck for a busy reader inside its raw read (readBusy),
// which cannot park there: it reports false, taking nothing, when the actor
// holds the ack back, and the reader then leaves the read to park.
func (c *Conn) takeAck() bool {
	for {
		switch c.acked.Load() {
		case ackGiven:
			if c.acked.CompareAndSwap(ackGiven, ackNone) {
				return true
			}
		case ackHeld:
			return false
		default: // ackNone
			if c.acked.CompareAndSwap(ackNone, ackAwaited) {
				<-c.acks
			}
		}
	}
}

// IsShut reports whether Shut has been called.
func (c *Conn) IsShut() bool { return c.isClosed.Load() }

// PeerDone reports whether the reader has read the peer's EOF.
func (c *Conn) PeerDone() bool { return c.peerDone.Load() }

// SetReadDeadline sets the behavior's own read deadline (zero: none); the
// idle timeout applies as well, whichever comes first.
func (c *Conn) SetReadDeadline(t time.Time) {
	s := stampOf(t)
	if s == 0 && !t.IsZero() {
		s = -1 // the epoch itself: long passed, and not "none"
	}
	c.readDeadline.Store(int64(s))
	if c.in.cold.Load() { // the poller keyed its deadline when it took the role: re-key it
		c.in.poll.rekey(c)
	}
}

// SuspendIdleTimeout suspends the idle timeout (true) or restores it
// (false): the peer waits for the server (a blocked command, a
// subscription), not the server for the peer. Restored, the idle time
// counts anew from now, as the wait ended with output to the peer. The
// behavior's own deadline (SetReadDeadline) applies throughout.
//
// A deadline armed before a suspension passes harmlessly: the reader finds
// it moved (expired, moved) and arms the next. A restored one must reach a
// reader that waits with none: a cold connection's entry is re-keyed, and
// a reader waiting on the socket is woken (as the sweeper wakes one) to
// arm it.
func (c *Conn) SuspendIdleTimeout(suspend bool) {
	if c.idleOff.Swap(suspend) == suspend || c.opts.IdleTimeout <= 0 {
		return
	}
	if suspend {
		if c.in.cold.Load() {
			c.in.poll.rekey(c)
		}
		return
	}
	c.since.Store(int64(now()))
	if c.in.cold.Load() {
		c.in.poll.rekey(c)
	} else if !c.IsShut() {
		_ = c.conn.SetReadDeadline(time.Now())
	}
}

// Shut ends the connection; calling it again does nothing. graceful sends FIN
// first and leaves the close to the reader, which drains the peer's last bytes so
// that the close does not reset replies in flight; otherwise the socket is closed
// at once. It never blocks: the actors that call it must not stall.
//
// A hard Shut after a graceful one closes the socket at once, cutting the
// drain short: that is how -shutdown-timeout forces connections that are
// already closing.
//
// Shut runs on other actors' goroutines (the acceptor's, a service's), so it
// writes nothing to the connection: a TLS connection's close_notify is a
// write, which waits for any write in progress (to a peer that may not read),
// so the reader sends it as it drains (drain), and a hard Shut closes the TCP
// socket under TLS.
func (c *Conn) Shut(graceful bool) {
	c.shutOnce.Do(func() {
		c.isClosed.Store(true)
		if graceful && !c.peerDone.Load() {
			if tc, ok := c.conn.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			// Wake a reader blocked in Read now; it drains for lingerTimeout and closes.
			_ = c.conn.SetReadDeadline(time.Now())
		}
		// The drain may set its deadline from now on: the one just set cannot
		// land after it and cut the drain short (the peer's last bytes would
		// then meet a reset). Then wake the reader if it waits for an ack or
		// for this: a busy reader waits for its ack inside its raw read
		// (takeAck), whose hold on the socket the Close below waits for.
		c.shutDone.Store(true)
		c.Ack()
		if p := c.in.poll; p != nil && p.claim(c) {
			Go(func() { c.end(nil) }) // it was cold: nobody else will end it
		}
	})
	if !graceful {
		// Linger 0: the kernel drops what is unsent and resets the connection, so
		// a peer that does not read cannot hold megabytes of send buffer for
		// minutes after the close (a hard close is for a broken connection, a
		// forced shutdown or an output limit: nothing more is owed).
		tc := TCP(c.conn)
		ok := tc != nil
		if ok {
			_ = tc.SetLinger(0)
		}
		// isClosed is set by now, and a busy reader says it is awake before
		// it looks at that (readBusy): either it delivers nothing more, or
		// this sees it awake.
		if s := c.disp.state.Load(); ok && (s == awake || s == handed) {
			// The reader is delivering, maybe inside its raw read (readBusy),
			// whose hold on the socket a Close waits for: from the reader
			// itself it would wait forever, and from anyone else for as long
			// as the behavior runs (for good, if it never returns: an
			// abandoned connection). Shut both directions instead, at once:
			// the peer sees the end, I/O blocked on the socket fails, and the
			// reader closes it as it ends (drain, which then reads EOF).
			_ = tc.CloseRead()
			_ = tc.CloseWrite()
			return
		}
		// The socket itself, under TLS too (crypto/tls's Close would write):
		// safe beside the reader's Read, and twice.
		if ok {
			_ = tc.Close()
		} else if t, isTLS := c.conn.(*tls.Conn); isTLS {
			_ = t.NetConn().Close()
		} else {
			_ = c.conn.Close()
		}
	}
}
