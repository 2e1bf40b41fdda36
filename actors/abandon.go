package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// A behavior blocked for good on something its closed socket does not end (a
// channel, a lock, a sleep) keeps its connection actor from ever stopping:
// its mailbox run never returns, so it never sees a Stop, and its supervisor,
// which waits for it, never reports. The shutdown cannot wait for it (an
// embedding program, and the test kit, would wait on Server.Done for good),
// so abandonGrace after the forced close root tells each connection
// supervisor still draining to Abandon: it reports at once, counting what is
// left as abandoned (a warning each, and in the shutdown report), and writes
// off their readers; root finishes without waiting for those supervisors, or
// for its own stop. What is abandoned holds its goroutine and its memory
// until its behavior returns, if ever; then its actor, its supervisor and
// root stop, quietly (the log is closed by then), and nothing is left.

// abandonGrace is how long after the forced close (ForceClose) the shutdown
// waits for connection actors to stop before it abandons them. A forced
// connection's blocked write or read fails as soon as its socket closes, and
// its actor stops within milliseconds even on a loaded machine: a second is
// for a behavior that is not coming back.
const abandonGrace = time.Second

// abandonedLine is the warning about each abandoned connection.
const abandonedLine = "connection abandoned: its behavior did not return after the forced close"

// armGrace starts the grace after the forced close.
func (r *rootActor) armGrace(ctx actor.Context) {
	if r.grace != nil {
		return
	}
	root, self := ctx.ActorSystem().Root, ctx.Self()
	r.grace = time.AfterFunc(abandonGrace, func() { root.Send(self, &messages.GracePassed{}) })
}

// onGracePassed tells every connection supervisor still draining to abandon
// what it has left.
func (r *rootActor) onGracePassed(ctx actor.Context) {
	if r.reported {
		return
	}
	for _, c := range r.conns {
		if r.waiting[c.addr] {
			ctx.Send(c.pid, &messages.Abandon{})
		}
	}
}

// forgetAbandoned forgets the connection supervisors that abandoned
// connections: they stop only once those do, so the shutdown does not wait
// for them (they have been told to stop).
func (r *rootActor) forgetAbandoned() {
	for id, c := range r.conns {
		if r.abandoned[c.addr] {
			delete(r.conns, id)
		}
	}
}

// onAbandon counts every connection still there as abandoned, forgets it and
// writes off its reader (the Server waits for it no longer), then reports.
func (s *connSupervisor) onAbandon(ctx actor.Context) {
	if !s.draining || s.finished {
		return
	}
	for id, c := range s.conns {
		if e := s.env.failures.entry(c.Log(), logrus.WarnLevel); e != nil {
			e.Warn(abandonedLine)
		}
		c.writeOffReader()
		s.env.idle.remove(c)
		s.env.hub.Closed(c.id, "abandoned")
		delete(s.conns, id)
		s.drained.Abandoned++
	}
	s.finishDrain(ctx)
}

// writeOffReader counts the connection's reader done, unless it is already:
// by the reader as it closes the socket (linkEvents.Closed), or here, when
// the connection is abandoned, whichever comes first.
func (l *link) writeOffReader() {
	if l.reading.Swap(false) {
		l.env.readers.Done()
	}
}
