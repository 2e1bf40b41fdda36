package actors

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/cluster"
	"async_server/internal/netpoll"
	"async_server/logs"
	"async_server/messages"
	"async_server/observatory"
	"async_server/supervision"
)

// Server is a running async_server: an actor system whose root actor owns the
// tree. Start it, Shutdown it, and wait on Done.
type Server struct {
	addrs     []net.Addr
	behaviors []string // the behavior served on each of addrs
	sys       *actor.ActorSystem
	root      *actor.PID
	hub       *observatory.Hub // nil unless Config.Observe or Chaos
	node      *cluster.Node    // this node's cluster membership; nil unless Config.Cluster is Enabled
	budget    *budget          // the memory budget; nil without one
	log       *logrus.Entry
	done      chan struct{} // closed once the tree has stopped and the log is closed
	err       error         // why it stopped; written before done is closed

	// readers counts the connections' readers (internal/netpoll: a role, not always
	// a goroutine). A reader outlives its connection actor by up to
	// lingerTimeout (lingerMax while input keeps coming), draining the peer's
	// last bytes before it closes the socket, unless the shutdown timeout
	// cuts the drain; done waits for all of them.
	readers sync.WaitGroup

	shutdownOnce sync.Once

	// draining is set by root when the shutdown begins, whoever began it
	// (Shutdown, or a listener that failed for good): Serving reads it.
	draining atomic.Bool

	// lost names the services stopped for good (their restarts spent), in
	// that order: written by the services supervisor's strategy, read by
	// LostServices.
	lost lostServices

	// stopped names root's children stopped for good (inject.go): written by
	// root, read by Inject.
	stopped stoppedActors

	// injections is the log budget of Inject's "fault injected" lines
	// (inject.go); root logs what it still counts before the shutdown report.
	injections *logBudget
}

// Start opens the log, listens, and starts the actor tree. When it cannot listen it
// logs why, stops what it started and returns the error.
func Start(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	set, err := openBehaviors(cfg)
	if err != nil {
		return nil, err // Validate checked it, but the -root directory may have gone since
	}
	sl, err := openLog(cfg.Log)
	if err != nil {
		set.release()
		return nil, err
	}
	s := newServer(cfg, set, sl.log)
	// The node joins before anything is spawned on sys: from here on the
	// actors' PIDs carry its address, so the other nodes can answer them.
	if s.node, err = cluster.Start(s.sys, cfg.Cluster, set.grains, sl.log); err != nil {
		set.release()
		sl.close()
		return nil, err
	}
	if s.hub != nil && s.node != nil {
		s.node.RegisterMetrics(s.hub.Registry())
		node := s.node
		s.hub.ShowCluster(func() any { return node.Info() })
	}
	if err := s.serve(cfg, set, sl); err != nil {
		return nil, err
	}
	return s, nil
}

// newServer makes the actor system, whose library logs go to the server's
// log, the memory budget and the observatory's hub.
func newServer(cfg Config, set *behaviorSet, log *logrus.Entry) *Server {
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(logs.SlogHandler(log.Logger)).With("lib", "protoactor")
	}))
	compactRegistry(sys)
	s := &Server{sys: sys, log: log, done: make(chan struct{}), injections: newLogBudget()}
	if cfg.MemoryBudget > 0 {
		s.budget = newBudget(cfg.MemoryBudget)
	}
	if cfg.Observe || cfg.Chaos > 0 {
		s.hub = observatory.New(observatory.Options{Budget: cfg.Intensity.MaxRestarts, Window: cfg.Intensity.Within})
		s.budget.register(s.hub.Registry())
		set.registerMetrics(s.hub.Registry())
	}
	return s
}

// serve listens and spawns root, which starts the tree, and returns once
// the tree serves: the services are up and the acceptors accept. If it
// cannot listen, root stops what it started, and serve returns the error
// once it has.
func (s *Server) serve(cfg Config, set *behaviorSet, sl *serverLog) error {
	stopWatching := watchDeadLetters(s.sys, s.hub)
	poll := netpoll.Acquire() // released in exit: by then every connection has ended
	listeners, listenErr := listenAll(cfg, set)
	if listenErr != nil {
		sl.log.WithError(listenErr).Error("cannot listen")
	}
	for _, l := range listeners {
		s.addrs = append(s.addrs, l.ln.Addr())
		s.behaviors = append(s.behaviors, l.behavior)
	}
	ready := make(chan struct{})
	r := &rootActor{cfg: &cfg, hub: s.hub, node: s.node, budget: s.budget, draining: &s.draining, lost: &s.lost,
		stopped: &s.stopped, injections: s.injections, listeners: listeners, serviceSpecs: set.services, readers: &s.readers, poll: poll,
		out: sl.out, ready: ready, file: sl.file, fw: sl.fw, log: sl.log, exit: func(err error) {
			stopWatching()
			set.release() // every connection is gone: the behaviors' resources go too
			sl.close()
			netpoll.Release()
			s.err = err
			close(s.done)
		}}
	s.root = spawnRoot(s.sys, r)
	if listenErr != nil {
		<-s.done
		return listenErr
	}
	select {
	case <-ready:
	case <-s.done:
	}
	return nil
}

// spawnRoot spawns r as the actor named root, the tree's top: it supervises
// its children with r's strategy, and it never restarts (it would re-run
// Started and spawn a second tree): if it fails, it stops, and the server
// stops with it.
func spawnRoot(sys *actor.ActorSystem, r *rootActor) *actor.PID {
	r.strategy = supervision.NewStrategy(r.cfg.Intensity, r.logDecision)
	props := actor.PropsFromProducer(func() actor.Actor { return r },
		actor.WithSupervisor(r.strategy),
		actor.WithGuardian(actor.NewOneForOneStrategy(0, 0, func(reason any) actor.Directive {
			r.cause = fmt.Errorf("root actor failed: %v", reason)
			return actor.StopDirective
		})))
	pid, _ := sys.Root.SpawnNamed(props, "root") // the only actor named root
	return pid
}

// serverLog is the log as Start opens it: the file's logger, which only the
// logger actor writes (out), the file (nil for standard error), and the
// front end that everyone else logs to (log), whose entries fw forwards to
// the logger actor.
type serverLog struct {
	out  *logrus.Logger
	file logs.File
	fw   *logs.Forwarder
	log  *logrus.Entry
}

// openLog opens the log c describes.
func openLog(c logs.Config) (*serverLog, error) {
	out, file, err := logs.Open(c)
	if err != nil {
		return nil, err
	}
	front, fw := logs.NewFrontEnd(out.GetLevel())
	return &serverLog{out: out, file: file, fw: fw, log: logrus.NewEntry(front)}, nil
}

// close ends the forwarding and closes the file, once nothing logs.
func (sl *serverLog) close() {
	sl.fw.Close()
	if sl.file != nil {
		_ = sl.file.Sync()
		_ = sl.file.Close()
	}
}

// Addrs returns the addresses the server listens on (the real port when asked
// for port 0), in the order of Config.Listeners.
func (s *Server) Addrs() []net.Addr { return s.addrs }

// Behaviors returns the behavior each address of Addrs serves.
func (s *Server) Behaviors() []string { return s.behaviors }

// Shutdown begins the graceful shutdown (see rootActor for its order) and returns
// at once; Done is closed when it is over. Calling it again does nothing.
func (s *Server) Shutdown() {
	s.shutdownOnce.Do(func() { s.sys.Root.Send(s.root, &messages.Shutdown{}) })
}

// Serving reports whether the server takes new clients: every listener
// accepted when Start returned, and Serving is true from then until the
// shutdown begins (it stays true while a failed listener is restarted). A
// readiness probe reads it (the admin endpoint's /readyz).
func (s *Server) Serving() bool {
	select {
	case <-s.done:
		return false
	default:
		return !s.draining.Load()
	}
}

// LostServices names the services that have stopped for good, their
// restarts spent (the resp key space after four failures in 10 s, say): the
// server still runs, but every command that needs one is refused. A
// readiness probe reads it (the admin endpoint's /readyz).
func (s *Server) LostServices() []string { return s.lost.list() }

// lostServices is Server.lost.
type lostServices struct {
	mu    sync.Mutex
	names []string
}

func (l *lostServices) add(name string) {
	l.mu.Lock()
	l.names = append(l.names, name)
	l.mu.Unlock()
}

func (l *lostServices) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.names...)
}

// Done is closed when the server has stopped: every connection closed, every log
// entry written and the log file closed. A connection whose behavior is still
// blocked a grace after the shutdown timeout (on something its closed socket
// does not end) does not hold it: it is abandoned, and the shutdown report
// counts it.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err returns why the server stopped once Done is closed: nil after Shutdown, an
// error when it stopped by itself (a listener that failed for good).
func (s *Server) Err() error {
	<-s.done
	return s.err
}

// Hub returns the server's observatory (the live tree, events and metrics),
// or nil when Config.Observe is off.
func (s *Server) Hub() *observatory.Hub { return s.hub }

// Cluster returns the server's cluster node, or nil when it is not clustered.
func (s *Server) Cluster() *cluster.Node { return s.node }

// Log returns the server's log: entries go through the logger actor to
// server.log, and are dropped once the server is done. The admin endpoint
// logs here.
func (s *Server) Log() *logrus.Entry { return s.log }

// Ask sends msg to the service called name and waits up to timeout for its
// answer (the service answers with ctx.Respond). Tests use it to look into a
// service's state; it is not for the data path.
func (s *Server) Ask(name string, msg any, timeout time.Duration) (any, error) {
	pid := actor.NewPID(s.sys.Address(), childID(s.root.Id, servicesName, name))
	return s.sys.Root.RequestFuture(pid, msg, timeout).Result()
}

// SyncLog waits, at most timeout, until every entry logged before the call
// is in the log file and the file is synced: for an exit that will not wait
// for the shutdown (a second signal), so that its last words are written. It
// reports false if the logger actor did not answer in time (a stalled disk,
// or the logger already stopped: then entries are written directly).
func (s *Server) SyncLog(timeout time.Duration) bool {
	pid := actor.NewPID(s.sys.Address(), childID(s.root.Id, loggerName))
	_, err := s.sys.Root.RequestFuture(pid, &messages.SyncLog{}, timeout).Result()
	return err == nil
}
