package actors

import (
	"crypto/tls"
	"net"
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

// acceptor is the acceptor actor of one listener. It owns the net.Listener, runs
// the accept loop (a goroutine that only sends it messages), spawns a connection
// actor per accepted connection and supervises them with the strategy from
// package supervision. Its parent is the root actor, which restarts it (a new
// listener on the same address) when the listener fails for good.
type acceptor struct {
	cfg  *Config
	addr string        // the bound address; a restart listens here again
	busy protocol.Busy // its behavior's reply to a client turned away at the limit
	env  *connEnv      // what its connections share
	log  *logrus.Entry

	ln       net.Listener  // nil until listening
	sem      chan struct{} // a slot per open socket: the accept loop takes one, the reader frees it at close
	loop     int           // this incarnation's accept loop, counted across restarts
	loops    *int          // accept loops started on this address, across restarts
	stopLoop chan struct{} // closed to stop the accept loop
	loopDone chan struct{} // closed by the accept loop as it exits

	conns    map[string]*link // by PID id
	draining bool             // after Drain: close new connections, stop when the last is gone
	forcing  bool             // after ForceClose: connections still open are being closed hard
	drained  messages.Drained
	finished bool
}

// acceptorProps returns the props of the acceptor of ln. The first incarnation
// takes ln; after a restart the acceptor listens on the same address again.
//
// shared is what every acceptor's connections share (the server's readers,
// services, observatory); the acceptor adds its listener's own.
func acceptorProps(l served, shared connEnv) *actor.Props {
	ln, setup, cfg := l.ln, l.setup, shared.cfg
	addr := ln.Addr().String()
	log := shared.log.WithField("listener", addr)
	env := &shared
	env.log, env.tls, env.listener, env.behavior = log, l.tls, addr, l.behavior
	env.failures, env.engine.NotTLS, env.factory = newLogBudgets(), setup.NotTLS, setup.Factory
	first := ln
	// The strategy reports to the current incarnation, which knows the connections.
	// Both run on the acceptor's goroutine.
	var current *acceptor
	loops := 0
	strategy := supervision.NewStrategy(cfg.Intensity, func(d supervision.Decision) { current.logDecision(d) })
	return actor.PropsFromProducer(func() actor.Actor {
		current = &acceptor{cfg: cfg, addr: addr, busy: setup.Busy, env: env, ln: first,
			loops: &loops, log: log}
		first = nil
		return current
	}, actor.WithSupervisor(strategy), actor.WithDispatcher(netpoll.RunnerDispatcher{}),
		actor.WithReceiverMiddleware(injectable))
}

// Receive dispatches.
func (a *acceptor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.onStarted(ctx)
	case *messages.ConnectionAccepted:
		a.onAccepted(ctx, m)
	case *messages.AcceptFailed:
		a.onAcceptFailed(m)
	case *messages.ClientWaiting:
		a.onClientWaiting(ctx, m)
	case *actor.Terminated:
		a.onTerminated(ctx, m)
	case *messages.Drain:
		a.onDrain(ctx)
	case *messages.ForceClose:
		a.onForceClose()
	case *actor.Restarting:
		a.stopAccepting()
	case *actor.Stopping:
		a.stopAccepting()
		a.env.failures.flush(a.log)
	}
}

func (a *acceptor) onStarted(ctx actor.Context) {
	a.conns = make(map[string]*link)
	if a.ln == nil { // a restart: the old listener is gone
		ln, err := a.cfg.listen(a.addr)
		if err != nil {
			panic(supervision.New(supervision.ListenerFailed, "listen", err))
		}
		a.ln = ln
		a.log.Warn("listening again")
	}
	a.sem = make(chan struct{}, a.cfg.MaxConns)
	*a.loops++
	a.loop = *a.loops
	a.stopLoop, a.loopDone = make(chan struct{}), make(chan struct{})
	l := &acceptLoop{ln: a.ln, loop: a.loop, slots: a.sem, stop: a.stopLoop, done: a.loopDone,
		root: ctx.ActorSystem().Root, self: ctx.Self(), log: a.log}
	if a.cfg.AtLimit == AtLimitReject {
		l.reject = newRejecter(a.busy, a.env.readers, a.log, func() { a.env.hub.Rejected(a.env.listener, a.env.behavior) })
	}
	go l.run()
	ctx.Send(ctx.Parent(), &messages.Accepting{Listener: a.addr})
}

// onAccepted spawns a connection actor for a new connection, whose slot the
// accept loop took. A connection accepted by an earlier incarnation's loop took
// its slot from a set of slots that is gone: it takes one here, or is closed.
func (a *acceptor) onAccepted(ctx actor.Context, m *messages.ConnectionAccepted) {
	if m.Loop != a.loop && !takeSlot(a.sem) {
		_ = m.Conn.Close()
		return
	}
	if a.draining {
		_ = m.Conn.Close()
		freeSlot(a.sem)
		return
	}
	// The PID is known before the spawn, so that the link is whole before its
	// actor's mailbox can see a message. conn-N is unique in the server, across
	// restarts.
	self, name := childPID(ctx, a.env.seq.Add(1))
	conn := m.Conn
	if a.env.tls != nil { // no I/O here: the reader does the handshake (link.handshake)
		conn = tls.Server(conn, a.env.tls)
	}
	l := newLink(conn, self, a.env, a.sem)
	pid, err := ctx.SpawnNamed(connProps(l), name)
	if err != nil { // only a name clash, which seq rules out
		a.log.WithError(err).Error("cannot spawn connection actor")
		_ = m.Conn.Close()
		freeSlot(a.sem)
		return
	}
	a.conns[pid.Id] = l // the observatory hears of it from the actor (observeOpened)
}

// childPID returns the PID and the name of the acceptor's n-th connection
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

// onAcceptFailed fails the acceptor with ListenerFailed, so that root makes a
// fresh one on the same address; unless it is draining: a draining acceptor has
// closed its listener and must never come back to life.
func (a *acceptor) onAcceptFailed(m *messages.AcceptFailed) {
	if a.draining {
		return
	}
	panic(supervision.New(supervision.ListenerFailed, "accept", m.Err))
}

// onClientWaiting makes room for a client the accept loop holds at the connection
// limit: it closes the connection that has been idle longest (its behavior said
// it owes the peer nothing, as an HTTP keep-alive connection between requests).
// The slot frees when that socket is closed, and the loop hands the waiting
// client over. With no idle connection the client waits for a slot
// (backpressure) or, when the loop asks (m.Room, -at-limit reject), is turned
// away: Room gets whether a connection is closing for it.
func (a *acceptor) onClientWaiting(ctx actor.Context, m *messages.ClientWaiting) {
	made := a.closeLongestIdle(ctx)
	if m.Room != nil {
		m.Room <- made // it has room for this one answer: never blocks
	}
}

// closeLongestIdle closes the connection idle longest, if any is idle, and
// reports whether it did.
func (a *acceptor) closeLongestIdle(ctx actor.Context) bool {
	var oldest *link
	var since int64
	for _, c := range a.conns {
		// A shut link is closing already (for an earlier client, say): not room.
		if t := c.idleSince.Load(); t != 0 && !c.isShut() && (oldest == nil || t < since) {
			oldest, since = c, t
		}
	}
	if oldest == nil {
		return false
	}
	oldest.Log().WithField("idle", time.Since(time.Unix(0, since)).Round(time.Millisecond).String()).
		Debug("closing idle connection to admit a waiting client")
	oldest.setEnd(endEvicted)
	oldest.shut(true)
	ctx.Stop(oldest.self)
	return true
}

// onTerminated forgets a connection that has gone. Its slot is freed by its
// reader, once the socket is closed.
func (a *acceptor) onTerminated(ctx actor.Context, m *actor.Terminated) {
	c, ok := a.conns[m.Who.Id]
	if !ok {
		return
	}
	delete(a.conns, m.Who.Id)
	switch {
	case a.forcing:
		a.drained.Forced++
		c.setEnd(endForced)
	case a.draining:
		a.drained.Graceful++
	}
	a.env.hub.Closed(c.id, c.endReason())
	a.finishDrain(ctx)
}

// onDrain begins the acceptor's part of a graceful shutdown: no new connections,
// and a poison pill to every connection, which answers what it already received
// and then closes.
//
// Each Drain gets its own Drained report, so a second one is harmless.
func (a *acceptor) onDrain(ctx actor.Context) {
	a.draining, a.finished = true, false
	a.stopAccepting()
	for _, c := range a.conns {
		ctx.Send(c.self, &messages.Finish{})
	}
	a.finishDrain(ctx)
}

// onForceClose closes every connection still open at once. Closing the socket
// also unblocks a connection actor stuck in a write.
func (a *acceptor) onForceClose() {
	a.forcing = true
	for _, c := range a.conns {
		c.shut(false)
	}
}

// finishDrain reports to root once draining and the last connection is gone. Root
// then poisons the acceptor: a pill, not Stop, because ConnectionAccepted messages
// the accept loop sent before it exited may still be queued, and each must be seen
// so that its socket is closed.
func (a *acceptor) finishDrain(ctx actor.Context) {
	if !a.draining || len(a.conns) > 0 || a.finished {
		return
	}
	a.finished = true
	a.drained.Listener = a.addr
	report := a.drained // a copy: root reads it while this acceptor may count on
	ctx.Send(ctx.Parent(), &report)
}

// stopAccepting closes the listener and waits for the accept loop to exit (at
// once: Accept returns when its listener closes). Every ConnectionAccepted the loop
// sent is then in the mailbox.
func (a *acceptor) stopAccepting() {
	if a.ln == nil {
		return
	}
	close(a.stopLoop)
	_ = a.ln.Close()
	<-a.loopDone
	a.ln = nil
}

// logDecision logs one supervision decision about a connection, with the fields
// of every line about that connection (conn, remote), within the listener's
// log budget (logbudget.go). It runs on the acceptor's goroutine (protoactor
// calls the strategy there), so it may read a.conns.
func (a *acceptor) logDecision(d supervision.Decision) {
	entry := a.log.WithField("conn", childName(d.Child))
	if c, ok := a.conns[d.Child.Id]; ok {
		entry = c.Log() // conn and remote
		if d.Directive == actor.StopDirective {
			c.setEnd(endByDecision(d.Category))
		}
	}
	a.env.hub.Decided(decisionEvent(d, childName(d.Child), observatory.KindConnection))
	level := logrus.WarnLevel
	if d.Category == supervision.ConnectionFailed || d.Category == supervision.Timeout {
		// A peer's reset or silence is routine (an idle keep-alive connection
		// closed at its timeout, say), not the server's problem: not a warning.
		level = logrus.InfoLevel
	}
	if entry = a.env.failures.entry(entry, level); entry != nil {
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
