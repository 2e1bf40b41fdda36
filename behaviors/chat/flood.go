package chat

import (
	"errors"
	"time"
)

// This file is the chat behavior's flood control, in the manner of IRC
// servers (RFC 1459, 8.10: a client's "message timer" moves on by a penalty
// for each line, and while it runs more than ten seconds ahead of the clock
// the server reads nothing more from that client): it slows or stops the
// sender, never the readers. Every line a connection sends costs
// Options.LineCost, plus a second per Options.ByteRate of its bytes; the
// costs add up on the connection's timer. While the timer is at most Burst
// ahead of the clock, lines go to the room at once. Past it, the room sends the
// connection's lines on, and answers them (say is a request), only once the
// timer is back within Burst, and until then the connection's later lines
// wait (queued, read no further once the connection layer stops reading for a
// waiting behavior): the sender moves at the rate the penalty allows. Past
// ExcessFlood the connection is closed: "excess flood", as IRC says it.
//
// So a room moves at most as fast as its talkers' penalties allow, and a
// member that keeps up with that keeps every line; only a member slower than
// that is cut by its output limit.

// Options are the chat behavior's settings: its flood control. The zero value
// has none (a trusted client, a benchmark); DefaultOptions is what the
// command line runs.
type Options struct {
	// LineCost is what a line costs on its sender's timer, whatever its size.
	LineCost time.Duration
	// ByteRate is the bytes a line may carry for a second on the timer, on top
	// of LineCost (0: bytes cost nothing).
	ByteRate int
	// Burst is how far the timer may run ahead of the clock before the
	// sender's lines wait.
	Burst time.Duration
	// ExcessFlood is how far ahead of the clock the timer may run at all:
	// past it, the connection is closed (0: never).
	ExcessFlood time.Duration
}

// The defaults. A person typing costs little: 20 lines at once (a paste) are
// within the burst, and 4 short lines a second, or 3 KiB a second of long
// ones, may follow for ever. A line of the 4 KiB most costs 1.25 s.
const (
	DefaultLineCost    = 250 * time.Millisecond
	DefaultByteRate    = 4 << 10
	DefaultBurst       = 5 * time.Second
	DefaultExcessFlood = 15 * time.Second
)

// DefaultOptions returns the chat behavior's defaults.
func DefaultOptions() Options {
	return Options{LineCost: DefaultLineCost, ByteRate: DefaultByteRate,
		Burst: DefaultBurst, ExcessFlood: DefaultExcessFlood}
}

// on reports whether o controls floods at all.
func (o *Options) on() bool { return o.LineCost > 0 || o.ByteRate > 0 }

// errExcessFlood is why a flooding connection is closed.
var errExcessFlood = errors.New("excess flood")

// flood is one connection's message timer, kept twice: charged as its lines
// are read, for the excess-flood line (what the sender has sent counts, sent
// on or not), and as its chat lines go to the room, for when each may be sent
// on (in order, one after another, however they arrived).
type flood struct {
	timer time.Time // charged as lines are read; zero until the first line
	sent  time.Time // charged as chat lines go to the room; zero until the first
}

// cost is what line costs on a timer.
func (o *Options) cost(line string) time.Duration {
	cost := o.LineCost
	if o.ByteRate > 0 {
		cost += time.Duration(len(line)) * time.Second / time.Duration(o.ByteRate)
	}
	return cost
}

// advance puts cost on timer t at now.
func advance(t *time.Time, cost time.Duration, now time.Time) {
	if t.Before(now) {
		*t = now
	}
	*t = t.Add(cost)
}

// charge puts a line just read on the timer at now and reports whether the
// timer is now past ExcessFlood.
func (f *flood) charge(o *Options, line string, now time.Time) bool {
	if !o.on() {
		return false
	}
	advance(&f.timer, o.cost(line), now)
	return o.ExcessFlood > 0 && f.timer.Sub(now) > o.ExcessFlood
}

// send puts a chat line going to the room on the timer of lines sent at now,
// and returns when the room may send it on: once that timer is back within
// Burst (the zero time, at once, without flood control).
func (f *flood) send(o *Options, line string, now time.Time) time.Time {
	if !o.on() {
		return time.Time{}
	}
	advance(&f.sent, o.cost(line), now)
	return f.sent.Add(-o.Burst)
}

// hold is how long the room should wait, at now, before it sends on lines
// that may go at due (flood.send's for the last of them): 0, at once, for
// lines within the burst.
func hold(due, now time.Time) time.Duration { return max(due.Sub(now), 0) }
