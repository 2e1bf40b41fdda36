package netpoll

import (
	"errors"
	"math"
	"os"
	"time"
)

// The reader's deadlines: when the next input is due, and how the socket's
// read deadline follows it without touching a timer on every message.

// stamp is a deadline kept in 8 bytes rather than a time.Time's 24 (the
// reader keeps two per connection): nanoseconds since epoch, by the
// monotonic clock when the time has a monotonic reading; 0: none.
type stamp int64

// epoch is where stamps count from.
var epoch = time.Now()

// stampOf is t as a stamp; the zero Time is 0.
func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return 0
	}
	return stamp(t.Sub(epoch))
}

// time is s as a time, with a monotonic reading; 0 is the zero Time.
func (s stamp) time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return epoch.Add(time.Duration(s))
}

// now is the time as a stamp: one read of the monotonic clock (time.Since
// of a time with a monotonic reading reads nothing else), where time.Now
// reads the wall clock too, and stamps add and compare as integers. The
// reader takes it once per delivery.
func now() stamp { return stamp(time.Since(epoch)) }

// deadline is when the next input is due: the earlier of the idle deadline
// (IdleTimeout after since, unless suspended) and the behavior's own
// (SetReadDeadline); zero: never.
func (c *Conn) deadline() stamp {
	var d stamp
	if idle := c.opts.IdleTimeout; idle > 0 && !c.idleOff.Load() {
		d = stamp(c.since.Load()) + stamp(idle)
		if d < 0 { // past a stamp's most (-idle-timeout near a Duration's): far away, not passed
			d = math.MaxInt64
		}
	}
	if b := stamp(c.readDeadline.Load()); b != 0 && (d == 0 || b < d) {
		d = b
	}
	return d
}

// setDeadline sets the socket's read deadline to d.
func (c *Conn) setDeadline(d stamp) {
	_ = c.conn.SetReadDeadline(d.time())
	c.in.armed = d
}

// unknown is input.armed when the socket's read deadline may have been set
// by the sweeper (kicked): the next arm sets it whatever it is.
const unknown = stamp(-1 << 63)

// arm sets the socket's read deadline to d, unless rearm says it may stay.
func (c *Conn) arm(d, t stamp) {
	if c.in.armed == unknown || rearm(c.in.armed, d, t) {
		c.setDeadline(d)
	}
}

// armHot sets the deadline of the hot reader at t: the input's own if it
// falls within the hot spell (hotForNew: the connection is not yet busy),
// else the spell's end, when the reader goes cold (serveHot). A hot deadline
// moves only once it is less than half a spell away. A busy connection's
// spell is ended by the sweeper (sweep.go): its socket has the input's own
// deadline alone.
func (c *Conn) armHot(t stamp) {
	d, spell := c.deadline(), stamp(hotForNew)
	if c.in.swept {
		c.arm(d, t)
		return
	}
	if hot := t + spell; d == 0 || hot < d {
		if a := c.in.armed; a != 0 && a <= hot && a > t+spell/2 {
			return
		}
		d = hot
	}
	c.arm(d, t)
}

// lapsed reports whether err, from a read with a deadline that is not a hot
// spell's, is the input's own deadline passing: the connection has timed out,
// unless input is waiting after all (look), which a read whose deadline has
// passed does not look for.
func (c *Conn) lapsed(err error) bool {
	if !errors.Is(err, os.ErrDeadlineExceeded) || c.IsShut() {
		return false
	}
	d := c.deadline()
	return d != 0 && now() >= d
}

// moved reports whether err, from a read held for its whole deadline (not
// a hot spell's), is a deadline that has moved since it was armed and not
// passed (the idle timeout suspended, a later deadline set while the read
// waited): the read goes on under the new one.
func (c *Conn) moved(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) && !c.IsShut() && !c.lapsed(err)
}

// rearm reports whether a socket deadline must move from armed to want, at t.
// Moving a deadline costs a runtime timer update, which on the per-message path
// of a busy connection is a measurable share of a round trip; so a deadline that
// would only move later by less than 1/16 of the time it grants (want - now)
// stays where it is. The tolerance follows the deadline asked for, whichever
// timeout it comes from: a behavior's 500 ms deadline moves every 31 ms of
// progress, the 5 min idle timeout every 19 s. The peer gets at least 15/16 of
// what it is owed, never less than an earlier deadline gives it.
func rearm(armed, want, t stamp) bool {
	if want == 0 || armed == 0 || want < armed {
		return want != armed
	}
	return want-armed > (want-t)/16
}
