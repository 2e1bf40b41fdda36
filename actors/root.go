package actors

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/cluster"
	"async_server/internal/netpoll"
	"async_server/logs"
	"async_server/messages"
	"async_server/observatory"
	"async_server/supervision"
)

// rootActor is the root system actor. It owns the tree: it starts the logger
// first, then the services supervisor (the behavior's service actors), then,
// once the services are up, a connection supervisor and an acceptor per
// listener; it supervises them (a failed listener gets a fresh acceptor, and
// the connections stay), and runs the graceful shutdown. Its order is the
// point:
//
//  1. Shutdown: root stops every acceptor, which closes its listener at once,
//     and tells every connection supervisor to Drain: it poisons each of its
//     connections, which answer what they already received and close.
//  2. Each connection supervisor reports Drained when its last connection is
//     gone. If the shutdown timeout passes before the report (below), root
//     sends every connection supervisor ForceClose: the connections still
//     there are closed hard, and so are the sockets still in their
//     close-wait (readers drain a closing socket for up to lingerTimeout,
//     lingerMax if input keeps coming: the drain is cut), and each says how
//     many (ForceClosed), for one warning; abandonGrace later, Abandon: a
//     connection still there (its behavior blocked on something else than
//     its socket) is abandoned, and its supervisor reports at once
//     (abandon.go).
//  3. With every report in, every acceptor gone (so every connection its
//     accept loop handed over is queued at its supervisor), every socket
//     closed and, past the timeout, every ForceClosed in, nothing logs about
//     the connections any more: root logs what each listener's log budget still counts
//     (logbudget.go), then the shutdown report, and poisons the connection
//     supervisors.
//  4. With every connection supervisor gone, a clustered node leaves its
//     cluster (cluster.Node.Stop: the provider, then the grains hosted here,
//     then remote), off root's goroutine, and says ClusterLeft; then root
//     poisons the services supervisor, which stops every service. Both
//     outlive the connections, which may still be talking to them while
//     they drain.
//  5. With the services gone, root sends StopLogger: the logger writes every
//     entry already queued and syncs the file (protoactor stops siblings
//     concurrently, so "logger last" has to be a phase of its own).
//  6. With the logger gone, root stops itself and the Server is done.
type rootActor struct {
	cfg          *Config
	hub          *observatory.Hub   // nil unless Config.Observe
	node         *cluster.Node      // the cluster membership; nil unless clustered
	budget       *budget            // the server's memory budget, for every listener; nil: none
	listeners    []served           // each with its behavior's factory
	shares       []*listenerShare   // each listener's, in the listeners' order; made when the services are up
	serviceSpecs []protocol.Service // every behavior's service actors
	ready        chan struct{}      // closed once every acceptor accepts: Start returns then
	draining     *atomic.Bool       // Server.Serving's: set when the shutdown begins
	lost         *lostServices      // Server.LostServices': the services supervisor's strategy adds to it
	stopped      *stoppedActors     // root's children stopped for good, which take no faults: root adds to it
	injections   *logBudget         // the Server's budget of "fault injected" lines: root logs what it left out, at the report
	readers      *sync.WaitGroup    // the connections' readers (a role, not always a goroutine) and rejections, passed to every listener
	poll         *netpoll.Poller    // the process's poller, held by the Server; nil: none
	out          *logrus.Logger     // the log file's writer, owned by the logger actor
	file         logs.File          // nil for standard error; closed in exit
	fw           *logs.Forwarder
	log          *logrus.Entry
	exit         func(error)           // called once, in Stopped, with why the server stopped (nil: asked to)
	strategy     *supervision.Strategy // supervises the acceptors; set by Start

	logger    *actor.PID
	chaos     *actor.PID             // -chaos's monkey; nil without it
	services  *actor.PID             // the services supervisor; nil once it is gone
	acceptors map[string]listenerRef // by PID id; made when the services are up
	conns     map[string]listenerRef // the connection supervisors, by PID id

	accepting       map[string]bool // listeners whose acceptor said Accepting; nil once ready is closed
	shuttingDown    bool
	cause           error                // why the server is stopping, if it is a failure
	started         time.Time            // when shutdown began
	waiting         map[string]bool      // listener addresses whose connection supervisor's Drained is still due
	report          messages.Drained     // the sum of the reports
	timer           *time.Timer          // the shutdown timeout
	forcing         map[string]bool      // past the timeout: listener addresses whose connection supervisor's ForceClosed is still due
	forced          messages.ForceClosed // the sum of the ForceClosed answers (Listener unused)
	forcedLogged    bool                 // the timeout's warning is logged
	grace           *time.Timer          // abandonGrace after the forced close; nil until then
	abandoned       map[string]bool      // listener addresses whose connection supervisor abandoned connections (abandon.go)
	exited          bool                 // exit has been called
	awaitingSockets bool                 // a goroutine waits for the readers to close their sockets
	socketsClosed   bool                 // every connection's socket is closed
	reported        bool                 // the shutdown report is logged; acceptors are being stopped
	leaving         bool                 // the node is leaving its cluster (phase 4)
	left            bool                 // the node has left its cluster, or was never in one
	stopServices    bool                 // the services supervisor has been told to stop
	stopLogger      bool                 // the logger has been told to stop
}

// listenerRef is what root knows about one of its acceptors or connection
// supervisors.
type listenerRef struct {
	pid  *actor.PID
	addr string // the listener's address
}

// Receive dispatches.
func (r *rootActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.onStarted(ctx)
	case *messages.ServicesStarted:
		r.onServicesStarted(ctx)
	case *messages.Accepting:
		r.onAccepting(m)
	case *messages.Shutdown:
		r.beginShutdown(ctx, nil)
	case *messages.Drained:
		r.onDrained(ctx, m)
	case *messages.SocketsClosed:
		r.socketsClosed = true
		r.maybeReport(ctx)
	case *messages.ShutdownTimedOut:
		r.onShutdownTimedOut(ctx)
	case *messages.ForceClosed:
		r.onForceClosed(ctx, m)
	case *messages.GracePassed:
		r.onGracePassed(ctx)
	case *messages.ServicesSlow:
		r.onServicesSlow()
	case *messages.ClusterLeft:
		r.left = true
		r.maybeStopLogger(ctx)
	case *actor.Terminated:
		r.onTerminated(ctx, m)
	case *actor.Stopped:
		r.exitOnce()
	}
}

func (r *rootActor) onStarted(ctx actor.Context) {
	// Names are unique within root, so SpawnNamed cannot fail here.
	r.logger, _ = ctx.SpawnNamed(loggerProps(r.out, r.file, r.fw, r.hub, r.injectable()), loggerName)
	r.hub.Logger(loggerName)
	r.acceptors, r.conns = make(map[string]listenerRef), make(map[string]listenerRef)
	if len(r.listeners) == 0 { // Start failed to listen: nothing ran, so nothing to report
		r.shuttingDown, r.reported = true, true
		r.maybeStopLogger(ctx)
		return
	}
	r.services, _ = ctx.SpawnNamed(servicesProps(r.serviceSpecs, r.cfg.Intensity, r.log, r.hub, r.lost, r.injectable()), servicesName)
}

// injectable is the fault injection middleware of root's children and the
// services: an injected stall ends when the shutdown begins (inject.go).
func (r *rootActor) injectable() actor.ReceiverMiddleware { return injectable(r.draining.Load) }

// onServicesStarted starts serving: a connection supervisor and an acceptor
// per listener. Only the first report counts: a restarted services supervisor
// reports again.
func (r *rootActor) onServicesStarted(ctx actor.Context) {
	if len(r.acceptors) > 0 || r.shuttingDown {
		return
	}
	shared := connEnv{cfg: r.cfg, budget: r.budget, readers: r.readers, engine: netpoll.Options{Poller: r.poll, IdleTimeout: r.cfg.IdleTimeout}, hub: r.hub, seq: new(atomic.Uint64), root: ctx.ActorSystem().Root,
		services: servicePIDs(ctx.ActorSystem(), ctx.Self().Id, r.serviceSpecs), log: r.log}
	for _, l := range r.listeners {
		addr := l.ln.Addr().String()
		share := newListenerShare(l, shared)
		r.shares = append(r.shares, share)
		conns, _ := ctx.SpawnNamed(connsProps(share), connsName(addr))
		r.conns[conns.Id] = listenerRef{pid: conns, addr: addr}
		pid, _ := ctx.SpawnNamed(acceptorProps(l, share, conns, r.injectable()), acceptorName(addr))
		r.hub.Listening(acceptorName(addr), connsName(addr), addr, l.behavior)
		r.acceptors[pid.Id] = listenerRef{pid: pid, addr: addr}
		r.log.WithFields(logrus.Fields{"listener": addr, "behavior": l.behavior}).Info("listening")
	}
	if r.cfg.Chaos > 0 {
		inj := injector{sys: ctx.ActorSystem(), rootID: ctx.Self().Id, hub: r.hub, log: r.log, random: true}
		r.chaos, _ = ctx.SpawnNamed(chaosProps(r.cfg.Chaos, inj), chaosName)
		r.log.WithField("rate", r.cfg.Chaos).Warn("chaos: injecting random faults into connections")
	}
}

// onAccepting closes ready once every acceptor's accept loop runs. A restarted
// acceptor says it again: each listener counts once, and nothing counts after.
func (r *rootActor) onAccepting(m *messages.Accepting) {
	if r.ready == nil {
		return
	}
	if r.accepting == nil {
		r.accepting = map[string]bool{}
	}
	r.accepting[m.Listener] = true
	if len(r.accepting) == len(r.listeners) {
		close(r.ready)
		r.ready, r.accepting = nil, nil
	}
}

// beginShutdown starts phase 1; a second call does nothing.
func (r *rootActor) beginShutdown(ctx actor.Context, cause error) {
	if r.shuttingDown {
		return
	}
	r.shuttingDown, r.cause, r.started = true, cause, time.Now()
	r.draining.Store(true)
	r.strategy.StopRestarting() // an acceptor that fails now stays down: nobody would drain it
	if r.chaos != nil {
		ctx.Stop(r.chaos) // a drain is not a soak: what is owed is answered undisturbed
	}
	r.log.WithField("timeout", r.cfg.ShutdownTimeout.String()).Info("shutdown started")
	for _, a := range r.acceptors {
		r.stopped.add(a.pid.Id)
		ctx.Stop(a.pid) // closes its listener (and overtakes a queued AcceptFailed)
	}
	r.waiting = make(map[string]bool)
	for _, c := range r.conns {
		r.waiting[c.addr] = true
		ctx.Send(c.pid, &messages.Drain{})
	}
	root, self := ctx.ActorSystem().Root, ctx.Self()
	r.timer = time.AfterFunc(r.cfg.ShutdownTimeout, func() { root.Send(self, &messages.ShutdownTimedOut{}) })
	r.maybeReport(ctx)
}

func (r *rootActor) onDrained(ctx actor.Context, m *messages.Drained) {
	r.report.Graceful += m.Graceful
	r.report.Failed += m.Failed
	r.report.Forced += m.Forced
	r.report.Abandoned += m.Abandoned
	if m.Abandoned > 0 {
		if r.abandoned == nil {
			r.abandoned = make(map[string]bool)
		}
		r.abandoned[m.Listener] = true
	}
	delete(r.waiting, m.Listener)
	r.maybeReport(ctx)
}

// onShutdownTimedOut is phase 2's deadline: every connection supervisor
// closes hard what is still open, the connections still draining and the
// sockets still in their close-wait (drained or not, its connections'
// sockets may be), and says how many (onForceClosed).
func (r *rootActor) onShutdownTimedOut(ctx actor.Context) {
	if r.reported || r.forcing != nil {
		return
	}
	r.forcing = make(map[string]bool)
	for _, c := range r.conns {
		r.forcing[c.addr] = true
		ctx.Send(c.pid, &messages.ForceClose{})
	}
	if len(r.waiting) > 0 {
		r.armGrace(ctx)
	}
	r.maybeLogForced()
}

// onForceClosed adds up what the connection supervisors closed hard at the
// timeout.
func (r *rootActor) onForceClosed(ctx actor.Context, m *messages.ForceClosed) {
	r.forced.Connections += m.Connections
	r.forced.Drains += m.Drains
	r.forced.Unacked += m.Unacked
	r.report.Graceful -= m.Unacked // Drained counted them graceful: the cut cost their clients bytes
	r.report.Forced += m.Unacked
	delete(r.forcing, m.Listener)
	r.maybeLogForced()
	r.maybeReport(ctx)
}

// maybeLogForced logs, once every connection supervisor has answered
// ForceClose (or is gone), what the timeout closed: one line, before the
// report.
func (r *rootActor) maybeLogForced() {
	if r.forcing == nil || len(r.forcing) > 0 || r.forcedLogged {
		return
	}
	r.forcedLogged = true
	f := r.forced
	entry := r.log.WithFields(logrus.Fields{"connections": f.Connections, "drains_cut": f.Drains, "unacked": f.Unacked})
	if f.Connections == 0 && f.Drains == 0 {
		entry.Warn("shutdown timeout passed; nothing was left to close")
		return
	}
	entry.Warn("shutdown timeout passed; closed hard what was still open")
}

// maybeReport runs phase 3 once every connection supervisor has reported,
// every acceptor is gone and every socket is closed. Readers close their
// sockets after their connection actors stop (they drain the peer's last
// bytes for up to lingerTimeout, and may log what they threw away), so a
// goroutine waits for them and tells root. Then nothing is left to count
// lines against a listener's log budget, and root logs what each still
// counts before the report: the report is the last word about connections,
// and follows every line they left out.
func (r *rootActor) maybeReport(ctx actor.Context) {
	if !r.shuttingDown || r.reported || len(r.waiting) > 0 || len(r.acceptors) > 0 || len(r.forcing) > 0 {
		return
	}
	if !r.socketsClosed {
		if !r.awaitingSockets {
			r.awaitingSockets = true
			root, self, readers := ctx.ActorSystem().Root, ctx.Self(), r.readers
			go func() { readers.Wait(); root.Send(self, &messages.SocketsClosed{}) }()
		}
		return
	}
	r.reported = true
	r.timer.Stop()
	if r.grace != nil {
		r.grace.Stop()
	}
	r.hub.ShutdownTook(time.Since(r.started))
	for _, sh := range r.shares { // nothing counts lines any more: the acceptors and readers are gone
		sh.env.failures.flush(sh.env.log)
	}
	if n := r.injections.suppressed.Swap(0); n > 0 { // the endpoint may still inject: it closes after the tree
		r.log.WithField("suppressed", n).Warn("faults injected left out of the log (over its budget)")
	}
	entry := r.log.WithFields(logrus.Fields{
		"graceful":  r.report.Graceful,
		"failed":    r.report.Failed,
		"forced":    r.report.Forced,
		"abandoned": r.report.Abandoned,
		"took":      time.Since(r.started).Round(time.Millisecond).String(),
	})
	if r.report.Forced > 0 || r.report.Abandoned > 0 {
		entry.Warn("shutdown report")
	} else {
		entry.Info("shutdown report")
	}
	for _, c := range r.conns {
		ctx.Poison(c.pid)
	}
	r.forgetAbandoned()
	r.maybeStopLogger(ctx)
}

func (r *rootActor) onTerminated(ctx actor.Context, m *actor.Terminated) {
	switch {
	case m.Who.Equal(r.logger):
		if !r.stopLogger { // its restarts are spent: write the file directly from now on
			r.logger = nil
			r.fw.Detach(r.out)
			r.log.Error("logger actor stopped; writing the log directly")
			return
		}
		r.finish(ctx) // phase 6
	case r.services != nil && m.Who.Equal(r.services):
		r.services = nil
		if !r.shuttingDown { // its restarts are spent: the behavior cannot work without them
			r.log.Error("services supervisor stopped; shutting down")
			r.beginShutdown(ctx, fmt.Errorf("services failed"))
			return
		}
		r.maybeStopLogger(ctx)
	default:
		r.onListenerTerminated(ctx, m.Who)
	}
}

// onListenerTerminated forgets an acceptor or a connection supervisor that
// has stopped. Before the shutdown, that is its restarts spent (an acceptor
// that cannot listen again): the server cannot serve the listener, and shuts
// down.
func (r *rootActor) onListenerTerminated(ctx actor.Context, who *actor.PID) {
	if a, ok := r.acceptors[who.Id]; ok {
		delete(r.acceptors, who.Id)
		if !r.shuttingDown {
			r.log.WithField("listener", a.addr).Error("acceptor stopped; shutting down")
			r.beginShutdown(ctx, fmt.Errorf("listener %s failed", a.addr))
			return
		}
	} else if c, ok := r.conns[who.Id]; ok {
		delete(r.conns, who.Id)
		delete(r.waiting, c.addr)
		delete(r.forcing, c.addr)
		r.maybeLogForced()
		if !r.shuttingDown {
			r.log.WithField("listener", c.addr).Error("connection supervisor stopped; shutting down")
			r.beginShutdown(ctx, fmt.Errorf("connections of %s failed", c.addr))
			return
		}
	}
	r.maybeReport(ctx)
	r.maybeStopLogger(ctx)
}

// maybeStopLogger runs phase 4 once the report is out and the acceptors and
// connection supervisors are gone (the cluster first, then the services),
// and phase 5 once the node has left and the services are gone too.
func (r *rootActor) maybeStopLogger(ctx actor.Context) {
	if !r.reported || len(r.acceptors) > 0 || len(r.conns) > 0 || r.stopLogger {
		return
	}
	if r.node != nil && !r.left {
		if !r.leaving {
			r.leaving = true
			node, root, self := r.node, ctx.ActorSystem().Root, ctx.Self()
			go func() { node.Stop(); root.Send(self, &messages.ClusterLeft{}) }()
		}
		return
	}
	if r.services != nil {
		if !r.stopServices {
			r.stopServices = true
			ctx.Poison(r.services)
			root, self := ctx.ActorSystem().Root, ctx.Self()
			time.AfterFunc(servicesSlow, func() { root.Send(self, &messages.ServicesSlow{}) })
		}
		return
	}
	r.stopLogger = true
	if r.logger == nil {
		r.finish(ctx)
		return
	}
	r.stopped.add(r.logger.Id)
	ctx.Send(r.logger, &messages.StopLogger{})
}

// servicesSlow is how long the services may take to stop before root says
// in the log that the shutdown waits for them: a service stops as soon as it
// has handled what it was sent, in microseconds, unless one is stalled.
const servicesSlow = 2 * time.Second

// onServicesSlow logs, if the services have not stopped yet, that the
// shutdown waits for them: with the report already out, the log would
// otherwise say nothing of why the process has not exited (and, past the
// last-resort timer, why it was forced to).
func (r *rootActor) onServicesSlow() {
	if r.services == nil {
		return
	}
	names := make([]string, len(r.serviceSpecs))
	for i, s := range r.serviceSpecs {
		names[i] = s.Name
	}
	r.log.WithFields(logrus.Fields{"after": servicesSlow.String(), "services": strings.Join(names, ",")}).
		Warn("services have not stopped; the shutdown waits for them (is one stalled?)")
}

// finish is phase 6: root stops itself, and the Server is done at its
// Stopped. With connections abandoned it is done now: root's stop waits for
// every child, and the supervisors of those connections stop only if they do.
func (r *rootActor) finish(ctx actor.Context) {
	if r.report.Abandoned > 0 {
		r.exitOnce()
	}
	ctx.Stop(ctx.Self())
}

// exitOnce calls exit, the first time only.
func (r *rootActor) exitOnce() {
	if !r.exited {
		r.exited = true
		r.exit(r.cause)
	}
}

// logDecision logs a supervision decision about one of root's children.
func (r *rootActor) logDecision(d supervision.Decision) {
	entry := r.log.WithFields(decisionFields(d)).WithField("actor", childName(d.Child))
	kind := observatory.KindLogger
	if a, ok := r.acceptors[d.Child.Id]; ok {
		entry = entry.WithField("listener", a.addr)
		kind = observatory.KindAcceptor
	} else if c, ok := r.conns[d.Child.Id]; ok {
		entry = entry.WithField("listener", c.addr)
		kind = observatory.KindConns
	} else if childName(d.Child) == servicesName {
		kind = observatory.KindServices
	}
	if d.Directive == actor.StopDirective {
		r.stopped.add(d.Child.Id) // before anyone hears of the decision
	}
	if r.logger != nil && d.Child.Equal(r.logger) && d.Directive == actor.StopDirective {
		// The logger will handle nothing more (its mailbox is suspended until
		// the stop), so an entry sent to it now is lost: this line would be.
		// Write directly from now on, as onTerminated does.
		r.fw.Detach(r.out)
	}
	r.hub.Decided(decisionEvent(d, childName(d.Child), kind))
	entry.Warn("supervision decision")
}

// childName is the last element of a child's PID id: "conn-3", "logger".
func childName(pid *actor.PID) string {
	return pid.Id[strings.LastIndexByte(pid.Id, '/')+1:]
}

// childID is the PID id protoactor gives an actor spawned by name under
// parent, and under it by each further name: the names joined with "/".
// (childPID, on the accept path, builds a connection's the same way without
// the slice.)
func childID(parent string, names ...string) string {
	return strings.Join(append([]string{parent}, names...), "/")
}

// decisionFields are the log fields of every supervision decision; the caller
// adds the fields that name the child.
func decisionFields(d supervision.Decision) logrus.Fields {
	f := logrus.Fields{
		"category":  d.Category.String(),
		"directive": directiveName(d.Directive),
		"restarts":  d.Restarts,
		"budget":    d.Budget,
		"cause":     fmt.Sprint(d.Cause),
	}
	if d.Injected {
		f["injected"] = true
	}
	return f
}
