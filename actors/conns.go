package actors

import (
	"crypto/tls"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/internal/netpoll"
	"async_server/messages"
	"async_server/observatory"
	"async_server/supervision"
)

// listenerShare is what one listener's acceptor and connection supervisor
// share, made once by root and kept across restarts of either.
type listenerShare struct {
	env  *connEnv      // what the listener's connections share
	busy protocol.Busy // the behavior's reply to a client turned away at the limit
	// slots has a slot per open socket: the accept loop takes one, the reader
	// frees it at close. It outlives the acceptor's restarts, as the
	// connections holding the slots do.
	slots chan struct{}
}

// newListenerShare returns the share of listener l; shared is what every
// listener's connections share (the server's readers, services,
// observatory), to which it adds l's own.
func newListenerShare(l served, shared connEnv) *listenerShare {
	addr := l.ln.Addr().String()
	env := &shared
	env.log, env.tls, env.listener, env.behavior = shared.log.WithField("listener", addr), l.tls, addr, l.behavior
	env.failures, env.engine.NotTLS, env.factory = newLogBudgets(), l.setup.NotTLS, l.setup.Factory
	env.idle, env.closing = &idleList{unread: hasUnread}, make(chan struct{}, shared.cfg.MaxConns)
	return &listenerShare{env: env, busy: l.setup.Busy,
		slots: make(chan struct{}, shared.cfg.MaxConns)}
}

// connSupervisor is the connection supervisor of one listener: it spawns a
// connection actor for each connection its acceptor's accept loop hands it,
// supervises them with the strategy from package supervision, makes room at
// the connection limit, and drains them at shutdown. It owns no listener, so
// a listener's failure (the acceptor's restart) leaves it and its
// connections alone.
type connSupervisor struct {
	share *listenerShare
	env   *connEnv
	log   *logrus.Entry

	conns    map[string]*link // by PID id
	draining bool             // after Drain: close new connections, report when the last is gone
	forcing  bool             // after ForceClose: connections still open are being closed hard
	drained  messages.Drained
	finished bool

	// closing holds connections gone (their actors stopped) whose sockets
	// may still be in their close-wait: the reader drains what the peer
	// sends after the FIN, up to lingerMax (internal/netpoll), before it
	// closes the socket, and the shutdown waits for that. ForceClose cuts
	// those drains. Those closed since are dropped whenever the slice
	// doubles (keepClosing), so it holds at most twice the drains under way,
	// or closingPruneMin.
	closing []closingLink
	pruneAt int // len(closing) at which keepClosing next drops the closed
}

// closingLink is a connection gone whose socket may still be closing, and
// whether the shutdown report counts it as graceful.
type closingLink struct {
	*link
	graceful bool
}

// connsProps returns the props of the connection supervisor of the listener
// share serves.
func connsProps(share *listenerShare) *actor.Props {
	// The strategy reports to the current incarnation, which knows the connections.
	// Both run on the supervisor's goroutine.
	var current *connSupervisor
	strategy := supervision.NewStrategy(share.env.cfg.Intensity, func(d supervision.Decision) { current.logDecision(d) })
	return actor.PropsFromProducer(func() actor.Actor {
		current = &connSupervisor{share: share, env: share.env, log: share.env.log, conns: make(map[string]*link)}
		return current
	}, actor.WithSupervisor(strategy), actor.WithDispatcher(netpoll.RunnerDispatcher{}))
}

// Receive dispatches.
func (s *connSupervisor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.onStarted(ctx)
	case *messages.ConnectionAccepted:
		s.onAccepted(ctx, m)
	case *messages.ClientWaiting:
		s.onClientWaiting(ctx, m)
	case *actor.Terminated:
		s.onTerminated(ctx, m)
	case *messages.Drain:
		s.onDrain(ctx)
	case *messages.ForceClose:
		s.onForceClose(ctx)
	case *messages.Abandon:
		s.onAbandon(ctx)
	case *actor.Stopping: // at shutdown root has flushed the budget before its report: nothing, as a rule
		s.env.failures.flush(s.log)
	}
}

// onStarted has a connection that turns idle while a queued client waits
// tell this incarnation (the idle list outlives restarts; the PID does not
// change, but the system's root context is the sender).
func (s *connSupervisor) onStarted(ctx actor.Context) {
	root, self := ctx.ActorSystem().Root, ctx.Self()
	s.env.idle.setWake(func() { root.Send(self, &messages.ClientWaiting{}) })
}

// onAccepted spawns a connection actor for a new connection, whose slot the
// accept loop took.
func (s *connSupervisor) onAccepted(ctx actor.Context, m *messages.ConnectionAccepted) {
	if s.draining {
		_ = m.Conn.Close()
		freeSlot(s.share.slots)
		return
	}
	// The PID is known before the spawn, so that the link is whole before its
	// actor's mailbox can see a message. conn-N is unique in the server, across
	// restarts.
	self, name := childPID(ctx, s.env.seq.Add(1))
	conn := m.Conn
	if s.env.tls != nil { // no I/O here: the reader does the handshake (netpoll.Conn's secure)
		conn = tls.Server(&tlsSocket{Conn: conn}, s.env.tls) // the socket keeps the write timeout (link_write.go)
	}
	l := newLink(conn, self, s.env, s.share.slots)
	pid, err := ctx.SpawnNamed(connProps(l), name)
	if err != nil { // only a name clash, which seq rules out
		s.log.WithError(err).Error("cannot spawn connection actor")
		_ = m.Conn.Close()
		freeSlot(s.share.slots)
		return
	}
	s.conns[pid.Id] = l // the observatory hears of it from the actor (observeOpened)
}

// childPID returns the PID and the name of the supervisor's n-th connection
// actor ("conn-N"), the name a slice of the PID's id: one allocation for
// both, on the path of every accepted connection.
func childPID(ctx actor.Context, n uint64) (*actor.PID, string) {
	parent := ctx.Self().Id
	var buf [96]byte
	b := append(append(buf[:0], parent...), "/conn-"...)
	b = strconv.AppendUint(b, n, 10)
	id := string(b)
	return actor.NewPID(ctx.ActorSystem().Address(), id), id[len(parent)+1:]
}

// onClientWaiting makes room for a client the accept loop holds at the connection
// limit: it closes the connection that has been idle longest (its behavior said
// it owes the peer nothing, as an HTTP keep-alive connection between requests).
// Its slot is free at once (link.evict), and the loop hands the waiting client
// over. With no idle connection, a queued client waits for a slot
// (backpressure) and the next connection to turn idle sends ClientWaiting
// again (idleList.oldestOrWait), while a client the loop would reject (m.Room,
// -at-limit reject) is turned away: Room gets whether a connection is closing
// for it.
func (s *connSupervisor) onClientWaiting(ctx actor.Context, m *messages.ClientWaiting) {
	if s.draining {
		if m.Room != nil {
			m.Room <- false
		}
		return
	}
	if m.Room == nil {
		s.closeIdle(ctx, s.env.idle.oldestOrWait())
		return
	}
	m.Room <- s.closeIdle(ctx, s.env.idle.oldest()) // it has room for this one answer: never blocks
}

// closeIdle closes oldest, the connection idle longest (a shut link is closing
// already, for an earlier client say: not room), and reports whether there was
// one. Its slot is free when this returns (link.evict), so a burst of waiting
// clients is admitted as fast as idle connections can be closed, one
// ClientWaiting each.
func (s *connSupervisor) closeIdle(ctx actor.Context, oldest *link) bool {
	if oldest == nil {
		return false
	}
	if oldest.env.log.Logger.IsLevelEnabled(logrus.DebugLevel) {
		since := oldest.idleSince.Load()
		oldest.Log().WithField("idle", time.Since(time.Unix(0, since)).Round(time.Millisecond).String()).
			Debug("closing idle connection to admit a waiting client")
	}
	oldest.evict()
	ctx.Stop(oldest.self)
	return true
}

// hasUnread says whether l's socket holds input its reader has not read yet
// (netpoll.Conn.Unread: an ioctl, no read, never blocking): such a connection
// is not idle and is not closed for a waiting client (idleList.take). It
// runs on the connection supervisor.
func hasUnread(l *link) bool {
	n := l.sock.Unread()
	if n > 0 && l.env.log.Logger.IsLevelEnabled(logrus.DebugLevel) {
		l.Log().WithField("unread", n).Debug("not closing a connection with unread input to admit a waiting client")
	}
	return n > 0
}

// onTerminated forgets a connection that has gone. Its slot is freed by its
// reader, once the socket is closed (unless it was evicted: link.evict).
func (s *connSupervisor) onTerminated(ctx actor.Context, m *actor.Terminated) {
	c, ok := s.conns[m.Who.Id]
	if !ok {
		return
	}
	delete(s.conns, m.Who.Id)
	s.env.idle.remove(c)
	graceful := false
	switch {
	case s.forcing:
		s.drained.Forced++
		c.setEnd(endForced)
	case s.draining && endCause(c.ending.Load()).failed():
		s.drained.Failed++
	case s.draining:
		s.drained.Graceful++
		graceful = true
	}
	s.keepClosing(closingLink{c, graceful})
	s.env.hub.Closed(c.id, c.endReason())
	s.finishDrain(ctx)
}

// onDrain begins the supervisor's part of a graceful shutdown (its acceptor
// has been stopped): a poison pill to every connection, which answers what it
// already received and then closes; a connection still handed over is closed.
//
// Each Drain gets its own Drained report, so a second one is harmless.
func (s *connSupervisor) onDrain(ctx actor.Context) {
	s.draining, s.finished = true, false
	for _, c := range s.conns {
		ctx.Send(c.self, &messages.Finish{})
	}
	s.finishDrain(ctx)
}

// onForceClose closes every connection still open at once, and every socket
// still in its close-wait (its connection gone, its reader draining after
// the FIN), and tells root how many of each (ForceClosed). Closing the socket
// also unblocks a connection actor stuck in a write. A hard Shut after a
// graceful one cuts the drain (netpoll.Conn.Shut): the reader's read fails,
// and it closes the socket at once.
//
// A connection whose drain is cut stays counted as it was (graceful, as a
// rule: it had answered what it received, and its FIN followed the replies),
// unless its client had not acknowledged all of them yet: the hard close
// drops what the kernel still held of them, so a graceful one is counted
// forced instead (ForceClosed.Unacked; root moves it).
func (s *connSupervisor) onForceClose(ctx actor.Context) {
	s.forcing = true
	closed := messages.ForceClosed{Listener: s.env.listener, Connections: len(s.conns)}
	for _, c := range s.conns {
		c.shut(false)
	}
	for _, c := range s.closing {
		if !c.reading.Load() { // its reader has closed the socket
			continue
		}
		unacked := c.sock.Unacked() > 1 // more than the FIN
		c.shut(false)
		closed.Drains++
		if unacked && c.graceful {
			closed.Unacked++
		}
	}
	clear(s.closing)
	s.closing = s.closing[:0]
	ctx.Send(ctx.Parent(), &closed)
}

// closingPruneMin is the least length at which keepClosing drops the
// connections whose sockets have closed.
const closingPruneMin = 64

// keepClosing keeps c, whose actor has stopped, in s.closing while its
// socket may still be closing; once forcing, every socket is closed hard, and
// none is kept.
func (s *connSupervisor) keepClosing(c closingLink) {
	if s.forcing || !c.reading.Load() {
		return
	}
	if len(s.closing) >= s.pruneAt {
		kept := s.closing[:0]
		for _, l := range s.closing {
			if l.reading.Load() {
				kept = append(kept, l)
			}
		}
		clear(s.closing[len(kept):])
		s.closing = kept
		s.pruneAt = max(closingPruneMin, 2*len(kept))
	}
	s.closing = append(s.closing, c)
}

// finishDrain reports to root once draining and the last connection is gone.
// Root then poisons the supervisor: a pill, not Stop, because
// ConnectionAccepted messages the accept loop sent before it exited may still
// be queued, and each must be seen so that its socket is closed.
func (s *connSupervisor) finishDrain(ctx actor.Context) {
	if !s.draining || len(s.conns) > 0 || s.finished {
		return
	}
	s.finished = true
	s.drained.Listener = s.env.listener
	report := s.drained // a copy: root reads it while this supervisor may count on
	ctx.Send(ctx.Parent(), &report)
}

// logDecision logs one supervision decision about a connection, with the fields
// of every line about that connection (conn, remote), within the listener's
// log budget (logbudget.go). It runs on the supervisor's goroutine (protoactor
// calls the strategy there), so it may read s.conns.
func (s *connSupervisor) logDecision(d supervision.Decision) {
	entry := s.log.WithField("conn", childName(d.Child))
	if c, ok := s.conns[d.Child.Id]; ok {
		entry = c.Log() // conn and remote
		if d.Directive == actor.StopDirective {
			c.setEnd(endByDecision(d.Category))
		}
	}
	s.env.hub.Decided(decisionEvent(d, childName(d.Child), observatory.KindConnection))
	level := logrus.WarnLevel
	if d.Category == supervision.ConnectionFailed || d.Category == supervision.Timeout {
		// A peer's reset or silence is routine (an idle keep-alive connection
		// closed at its timeout, say), not the server's problem: not a warning.
		level = logrus.InfoLevel
	}
	if entry = s.env.failures.entry(entry, level); entry != nil {
		entry.WithFields(decisionFields(d)).Log(level, "supervision decision")
	}
}

// takeSlot takes a connection slot if one is free. It never blocks.
func takeSlot(slots chan struct{}) bool {
	select {
	case slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// freeSlot frees a connection slot. It never blocks.
func freeSlot(slots chan struct{}) {
	select {
	case <-slots:
	default:
	}
}
