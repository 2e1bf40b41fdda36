package resp

import (
	"sync/atomic"
	"time"
)

// cmdStat is one command's counters (INFO commandstats): updated by whoever
// runs it (the key space, the broker, a connection), so atomic.
type cmdStat struct {
	calls, usec, rejected, failed atomic.Int64
}

// ran counts a run of command c that took d and whose reply starts at
// reply[0] ('-' for an error).
func (srv *server) ran(c *Command, d time.Duration, reply []byte) {
	st := &srv.cmdStats[c.index]
	st.calls.Add(1)
	st.usec.Add(d.Microseconds())
	failed := len(reply) > 0 && reply[0] == '-'
	if failed {
		st.failed.Add(1)
	}
	srv.observeRun(c, d, failed)
}

// monoNow is the monotonic clock, for a command's latency: one clock read,
// where time.Now reads the wall clock too (and time.Since then reads the
// monotonic one again). Never zero.
func monoNow() time.Duration { return time.Since(monoEpoch) + 1 }

// monoEpoch is monoNow's zero.
var monoEpoch = time.Now()

// wallStamp is a reading of the wall clock (Unix ns) and monoNow at one
// instant (time.Now), from which wallNow derives the wall clock.
type wallStamp struct {
	wall int64
	mono time.Duration
}

// lastWall is the process's latest wallStamp, shared by every connection.
var lastWall atomic.Pointer[wallStamp]

// wallNow is the wall clock in Unix ns at mono, a monoNow reading just
// taken: derived from lastWall while it is fresh (stampFresh), so a read
// costs one clock reading, not time.Now's two (each about 60 ns on a VM);
// read, and lastWall renewed, once it is not. A step of the system clock
// (NTP) is so missed for at most stampFresh, as a batch's stamp misses it
// (batch.wallAt).
func wallNow(mono time.Duration) int64 {
	if w := lastWall.Load(); w != nil {
		if d := mono - w.mono; d >= 0 && d < stampFresh {
			return w.wall + int64(d)
		}
	}
	now := time.Now()
	w := &wallStamp{wall: now.UnixNano(), mono: now.Sub(monoEpoch) + 1}
	lastWall.Store(w)
	return w.wall + int64(max(mono-w.mono, 0))
}

// rejected counts a command refused before it ran (arity, NOAUTH, OOM).
func (srv *server) rejected(c *Command) {
	srv.cmdStats[c.index].rejected.Add(1)
	srv.observeRefused(c)
}

// resetStats is CONFIG RESETSTAT's.
func (srv *server) resetStats() {
	for i := range srv.cmdStats {
		st := &srv.cmdStats[i]
		st.calls.Store(0)
		st.usec.Store(0)
		st.rejected.Store(0)
		st.failed.Store(0)
	}
}
