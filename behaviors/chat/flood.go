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
// ahead of the clock, lines go to the room at once. Past it, the room answers
// the connection's lines (say is a request) only once the timer is back
// within Burst, and until then the connection's later lines wait (queued,
// read no further once the connection layer stops reading for a waiting
// behavior): the sender moves at the rate the penalty allows. Past
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

// flood is one connection's timer.
type flood struct {
	timer time.Time // the message timer; zero until the first line
}

// charge puts line's cost on the timer at now and reports whether the timer
// is now past ExcessFlood.
func (f *flood) charge(o *Options, line string, now time.Time) bool {
	if !o.on() {
		return false
	}
	if f.timer.Before(now) {
		f.timer = now
	}
	cost := o.LineCost
	if o.ByteRate > 0 {
		cost += time.Duration(len(line)) * time.Second / time.Duration(o.ByteRate)
	}
	f.timer = f.timer.Add(cost)
	return o.ExcessFlood > 0 && f.timer.Sub(now) > o.ExcessFlood
}

// hold is how long the room should wait before it answers lines sent at now:
// how far the timer is past Burst (0: answer at once).
func (f *flood) hold(o *Options, now time.Time) time.Duration {
	if !o.on() {
		return 0
	}
	return max(f.timer.Sub(now)-o.Burst, 0)
}
