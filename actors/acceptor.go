package actors

import (
	"net"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/internal/netpoll"
	"async_server/messages"
	"async_server/supervision"
)

// acceptor is the acceptor actor of one listener. It owns the net.Listener and
// runs the accept loop (a goroutine that only sends messages), and owns
// nothing else: the connections the loop accepts go to the listener's
// connection supervisor (conns.go), a sibling under root. So when the
// listener fails for good (AcceptFailed) root restarts the acceptor, which
// listens again on the same address, and no connection notices: a
// protoactor restart stops every child of the restarted actor, and the
// acceptor has none. (Ranch keeps its connections under a supervisor apart
// from its acceptors for the same reason.)
type acceptor struct {
	addr  string // the bound address; a restart listens here again
	share *listenerShare
	conns *actor.PID // the listener's connection supervisor
	log   *logrus.Entry

	ln       net.Listener  // nil until listening, and once stopped
	stopLoop chan struct{} // closed to stop the accept loop
	loopDone chan struct{} // closed by the accept loop as it exits
}

// acceptorProps returns the props of the acceptor of l, whose connections go
// to conns. The first incarnation takes l's listener; after a restart the
// acceptor listens on the same address again.
func acceptorProps(l served, share *listenerShare, conns *actor.PID, inject actor.ReceiverMiddleware) *actor.Props {
	first := l.ln
	addr := l.ln.Addr().String()
	return actor.PropsFromProducer(func() actor.Actor {
		a := &acceptor{addr: addr, share: share, conns: conns, ln: first, log: share.env.log}
		first = nil
		return a
	}, actor.WithDispatcher(netpoll.RunnerDispatcher{}), actor.WithReceiverMiddleware(inject))
}

// Receive dispatches.
func (a *acceptor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.onStarted(ctx)
	case *messages.AcceptFailed:
		a.onAcceptFailed(m)
	case *actor.Restarting, *actor.Stopping:
		a.stopAccepting()
	}
}

// onStarted listens (again, after a restart: the old listener is gone) and
// starts the accept loop.
func (a *acceptor) onStarted(ctx actor.Context) {
	if a.ln == nil {
		ln, err := a.share.env.cfg.listen(a.addr)
		if err != nil {
			panic(supervision.New(supervision.ListenerFailed, "listen", err))
		}
		a.ln = ln
		a.log.Warn("listening again")
	}
	a.stopLoop, a.loopDone = make(chan struct{}), make(chan struct{})
	l := &acceptLoop{ln: a.ln, slots: a.share.slots, stop: a.stopLoop, done: a.loopDone,
		root: ctx.ActorSystem().Root, self: ctx.Self(), conns: a.conns, log: a.log,
		budget: a.share.env.failures, idle: a.share.env.idle, backoffMin: acceptBackoffMin, backoffMax: acceptBackoffMax}
	env := a.share.env
	if env.cfg.AtLimit == AtLimitReject {
		l.reject = newRejecter(a.share.busy, env.tls, env.readers, a.log, func() { env.hub.Rejected(env.listener, env.behavior) })
	}
	go l.run()
	ctx.Send(ctx.Parent(), &messages.Accepting{Listener: a.addr})
}

// onAcceptFailed fails the acceptor with ListenerFailed, so that root makes a
// fresh one on the same address. (At shutdown root stops the acceptor, which
// overtakes a queued AcceptFailed; and root restarts nothing then.)
func (a *acceptor) onAcceptFailed(m *messages.AcceptFailed) {
	panic(supervision.New(supervision.ListenerFailed, "accept", m.Err))
}

// stopAccepting closes the listener and waits for the accept loop to exit (at
// once: Accept returns when its listener closes). Every ConnectionAccepted the
// loop sent is then in the connection supervisor's mailbox.
func (a *acceptor) stopAccepting() {
	if a.ln == nil {
		return
	}
	close(a.stopLoop)
	_ = a.ln.Close()
	<-a.loopDone
	a.ln = nil
}
