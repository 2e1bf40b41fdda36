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
