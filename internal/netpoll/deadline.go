package netpoll

import (
	"errors"
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

// idleDeadline is the idle deadline of input that begins to be awaited now.
func (c *Conn) idleDeadline(now time.Time) time.Time {
	if d := c.opts.IdleTimeout; d > 0 {
		return now.Add(d)
	}
	return time.Time{}
}

// deadline is when the next input is due: the earlier of the idle deadline and
// the behavior's own (SetReadDeadline); zero: never.
func (c *Conn) deadline() time.Time {
	d := c.in.idleBy.time()
	if ns := c.readDeadline.Load(); ns != 0 {
		if b := time.Unix(0, ns); d.IsZero() || b.Before(d) {
			d = b
		}
	}
	return d
}

// arm sets the socket's read deadline to d, unless Rearm says it may stay.
func (c *Conn) arm(d, now time.Time) {
	if Rearm(c.in.armed.time(), d, now) {
		_ = c.conn.SetReadDeadline(d)
		c.in.armed = stampOf(d)
	}
}

// armHot sets the deadline of the hot reader: the input's own if it falls
// within the hot spell (hotFor, or hotForNew for a connection not yet busy),
// else the spell's end, when the reader goes cold (cooled). A hot deadline
// moves only once it is less than half a spell away, so a busy connection
// touches its timer at most every hotFor/2.
func (c *Conn) armHot(now time.Time) {
	d, spell := c.deadline(), hotFor
	if c.in.reads < busyReads {
		spell = hotForNew
	}
	if hot := now.Add(spell); d.IsZero() || hot.Before(d) {
		if a := c.in.armed.time(); !a.After(hot) && a.After(now.Add(spell/2)) {
			return
		}
		d = hot
	}
	c.arm(d, now)
}

// cooled reports whether err, from a hot reader's read, is its hot deadline
// passing (the connection has gone quiet), not the input's own.
func (c *Conn) cooled(err error) bool {
	if !errors.Is(err, os.ErrDeadlineExceeded) || c.IsShut() {
		return false
	}
	d := c.deadline()
	return d.IsZero() || time.Now().Before(d)
}

// lapsed reports whether err, from a read, is the input's own deadline
// passing: the connection has timed out, unless input is waiting after all
// (look), which a read whose deadline has passed does not look for.
func (c *Conn) lapsed(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) && !c.IsShut() && !c.cooled(err)
}

// Rearm reports whether a socket deadline must move from armed to want, at now.
// Moving a deadline costs a runtime timer update, which on the per-message path
// of a busy connection is a measurable share of a round trip; so a deadline that
// would only move later by less than 1/16 of the time it grants (want - now)
// stays where it is. The tolerance follows the deadline asked for, whichever
// timeout it comes from: a behavior's 500 ms deadline moves every 31 ms of
// progress, the 5 min idle timeout every 19 s. The peer gets at least 15/16 of
// what it is owed, never less than an earlier deadline gives it.
func Rearm(armed, want, now time.Time) bool {
	if want.IsZero() || armed.IsZero() || want.Before(armed) {
		return !want.Equal(armed)
	}
	return want.Sub(armed) > want.Sub(now)/16
}
