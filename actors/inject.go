package actors

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/cluster"
	"async_server/messages"
	"async_server/observatory"
	"async_server/supervision"
)

// Fault is a failure, or a stall, to inject into a live actor (Server.Inject).
type Fault struct {
	Category string        // a category of the supervision table, as it is spelled there (any case)
	Stall    time.Duration // instead of a failure: the target handles nothing for this long
}

// MaxStall bounds Fault.Stall: a stalled actor delays the shutdown by as much.
const MaxStall = 30 * time.Second

// stallCheck is how often a stalled connection looks whether it was shut
// meanwhile (a forced shutdown, say), to end the stall early.
const stallCheck = 10 * time.Millisecond

// Errors of Server.Inject.
var (
	ErrNoObservatory = errors.New("the observatory is off (start with -admin, -chaos or Config.Observe)")
	ErrUnknownTarget = errors.New("no such target")
	ErrBadFault      = errors.New("bad fault")
	// ErrStopped is a target that has stopped for good: a service or the
	// logger whose supervisor stopped it (its restarts spent, or a category
	// that stops), an acceptor once the shutdown has begun. Such an error is
	// ErrUnknownTarget too: the actor no longer exists (the admin endpoint
	// answers 404), though /tree still lists it, marked stopped.
	ErrStopped = errors.New("stopped for good")
)

// Inject sends f to the actor target names, as the observatory's tree does: a
// connection by ID ("conn-3") or remote address ("127.0.0.1:50312"), "random"
// for a live connection picked at random, a service by name, an acceptor by
// name or listener address, "logger", or on a clustered node a grain it
// hosts, as KIND/IDENTITY ("chatroom/lobby"; /tree's cluster field lists
// them). A grain acts a fault out itself (it handles messages.Inject), and
// its supervisor is the cluster's placement actor, which restarts it. It returns the event it published
// (kind "injected"); the supervisor's decision follows as its own event. It
// does not wait: the target may be gone by the time the fault arrives (the
// message is then a dead letter).
func (s *Server) Inject(target string, f Fault) (observatory.Event, error) {
	return s.injector().inject(target, f)
}

func (s *Server) injector() injector {
	return injector{sys: s.sys, rootID: s.root.Id, hub: s.hub, log: s.log, budget: s.injections,
		stopped: &s.stopped, lost: &s.lost}
}

// injector sends faults to the actors of one server: Server.Inject's and the
// chaos actor's.
type injector struct {
	sys    *actor.ActorSystem
	rootID string
	hub    *observatory.Hub
	log    *logrus.Entry
	// random marks the chaos actor's injector, which logs each fault at Debug,
	// not Warn: -chaos injects hundreds a second (at -chaos 200, 7 096 of a
	// run's 8 214 lines were these), while the observatory's events and
	// metrics count every one, and the decision each fault causes is logged,
	// marked injected, within its listener's log budget.
	random bool
	// budget bounds the "fault injected" lines of Server.Inject (POST
	// /faults), as a listener's budget bounds the decisions they cause: a
	// stall causes none, and a loop of POSTs wrote a line each (1 000 faults
	// in 10 ms, 118 KB). nil for the chaos actor, which logs at Debug.
	budget *logBudget
	// stopped and lost name the actors stopped for good (root's children;
	// the services), which take no faults; nil for the chaos actor, which
	// injects into connections only.
	stopped *stoppedActors
	lost    *lostServices
}

// stoppedActors names root's children stopped for good, by PID id: marked by
// root on its goroutine as it decides or begins to stop them, so a fault
// sent once the decision is known finds them stopped (protoactor removes an
// actor from its registry only once it has finished stopping).
type stoppedActors struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *stoppedActors) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = make(map[string]bool)
	}
	s.ids[id] = true
}

func (s *stoppedActors) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

// stoppedError is ErrStopped (and ErrUnknownTarget) for one target.
type stoppedError struct{ target string }

func (e stoppedError) Error() string {
	return fmt.Sprintf("%q has stopped for good and takes no faults", e.target)
}
func (e stoppedError) Is(target error) bool {
	return target == ErrStopped || target == ErrUnknownTarget
}

// gone reports whether the actor named name, of kind, whose PID id is id,
// has stopped for good. A connection that has stopped is gone from the
// observatory; the other kinds stay in its tree.
func (s injector) gone(name, kind, id string) bool {
	if kind == observatory.KindGrain {
		return false // the cluster's placement actor restarts it
	}
	if s.stopped != nil && s.stopped.has(id) {
		return true
	}
	if kind == observatory.KindService && s.lost != nil && slices.Contains(s.lost.list(), name) {
		return true
	}
	_, ok := s.sys.ProcessRegistry.GetLocal(id)
	return !ok
}

// unknownTarget says why target names no actor that takes a fault: for the
// names /tree shows that are not targets, and for "random" with no live
// connection, more than "no such target". It is ErrUnknownTarget for errors.Is.
func unknownTarget(target string) error {
	switch target {
	case "random":
		return targetError("no live connection to pick at random")
	case "root":
		return targetError(`"root" takes no faults: it owns the tree and is never restarted; name one of its children`)
	case servicesName:
		return targetError(`"services" takes no faults: it only supervises the service actors; name one of them`)
	}
	if strings.HasPrefix(target, connsName("")) {
		return targetError(fmt.Sprintf("%q takes no faults: it only supervises the listener's connections; name one of them, or the acceptor", target))
	}
	return fmt.Errorf("%w: %q", ErrUnknownTarget, target)
}

// targetError is an ErrUnknownTarget with a message of its own.
type targetError string

func (e targetError) Error() string        { return string(e) }
func (e targetError) Is(target error) bool { return target == ErrUnknownTarget }

func (s injector) inject(target string, f Fault) (observatory.Event, error) {
	if s.hub == nil {
		return observatory.Event{}, ErrNoObservatory
	}
	msg, err := f.message()
	if err != nil {
		return observatory.Event{}, err
	}
	name, kind, conn, ok := s.hub.Find(target)
	var id string
	if !ok {
		if id, ok = s.grain(target); !ok {
			return observatory.Event{}, unknownTarget(target)
		}
		name, kind = target, observatory.KindGrain
	}
	switch kind {
	case observatory.KindGrain: // id is the grain's
	case observatory.KindConnection:
		id = childID(s.rootID, connsName(conn.Listener), name)
	case observatory.KindService:
		id = childID(s.rootID, servicesName, name)
	default: // logger, acceptor: root's children
		id = childID(s.rootID, name)
	}
	if s.gone(name, kind, id) {
		return observatory.Event{}, stoppedError{target: name}
	}
	e := observatory.Event{Actor: name, ActorKind: kind, Category: msg.Category}
	if msg.Stall > 0 {
		e.Category, e.Stall = "", msg.Stall.String()
	}
	fields := logrus.Fields{"target": name, "kind": kind, "injected": true}
	if e.Stall != "" {
		fields["stall"] = e.Stall
	} else {
		fields["category"] = e.Category
	}
	level := logrus.WarnLevel
	if s.random {
		level = logrus.DebugLevel
	}
	if s.log.Logger.IsLevelEnabled(level) {
		if entry := s.logEntry(); entry != nil {
			entry.WithFields(fields).Log(level, "fault injected")
		}
	}
	e = s.hub.Injected(e)
	s.sys.Root.Send(actor.NewPID(s.sys.Address(), id), msg)
	return e, nil
}

// logEntry returns the entry to log an injection with, or nil when the
// budget is spent (the line is counted then).
func (s injector) logEntry() *logrus.Entry {
	if s.budget == nil {
		return s.log
	}
	return s.budget.take(s.log)
}

// grain returns the PID id of the grain target names (KIND/IDENTITY) if
// this node hosts it.
func (s injector) grain(target string) (string, bool) {
	for _, g := range cluster.NodeOf(s.sys).Grains() {
		if g.Kind+"/"+g.Identity == target {
			return g.PID, true
		}
	}
	return "", false
}

// message checks f and makes the message that carries it.
func (f Fault) message() (*messages.Inject, error) {
	switch {
	case f.Stall < 0 || f.Stall > MaxStall:
		return nil, fmt.Errorf("%w: stall %v: want more than 0 and at most %v", ErrBadFault, f.Stall, MaxStall)
	case f.Stall > 0 && f.Category != "":
		return nil, fmt.Errorf("%w: give a category or a stall, not both", ErrBadFault)
	case f.Stall > 0:
		return &messages.Inject{Stall: f.Stall}, nil
	}
	c, ok := supervision.ParseCategory(f.Category)
	if !ok {
		return nil, fmt.Errorf("%w: unknown category %q (want one of %v)", ErrBadFault, f.Category, supervision.Categories())
	}
	return &messages.Inject{Category: c.String()}, nil
}

// injected acts out an injected fault on the goroutine of the actor that got
// it: it stalls (until the stall passes or cut, when not nil, says so; it is
// asked every stallCheck) and returns nil, or returns the failure to fail with.
func injected(m *messages.Inject, cut func() bool) *supervision.Error {
	if m.Stall > 0 {
		end := time.Now().Add(m.Stall)
		for left := m.Stall; left > 0 && (cut == nil || !cut()); left = time.Until(end) {
			time.Sleep(min(left, stallCheck))
		}
		return nil
	}
	c, _ := supervision.ParseCategory(m.Category) // Server.Inject checked it
	return supervision.Inject(c)
}

// injectable returns the middleware that wraps an actor's Receive (a
// service's, written by a behavior that knows nothing of faults; an
// acceptor's; the logger's) so that it acts out an injected fault.
//
// Its stall ends when shuttingDown says so (root passes Server.Serving's
// flag): the shutdown begins. An injected stall is a simulated fault, and
// these actors are stopped only after every connection (the services, the
// logger) or at once (the acceptors): a stall of up to MaxStall that outlived
// the shutdown's start would hold the exit past main's last resort
// (-shutdown-timeout + 5 s), which would then exit 1 with the log cut short
// (the shutdown report never written, or never written to a stalled logger's
// file). A connection's stall is not cut: the shutdown timeout's forced
// close ends it, as it ends a stuck behavior. A real stall of one of these
// actors still holds the shutdown, and the last resort is for that.
func injectable(shuttingDown func() bool) actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
			if m, ok := env.Message.(*messages.Inject); ok {
				if err := injected(m, shuttingDown); err != nil {
					panic(err)
				}
				return
			}
			next(ctx, env)
		}
	}
}

// acceptorName is the name of the acceptor of a listener address.
func acceptorName(listener string) string { return "acceptor-" + listener }

// connsName is the name of the connection supervisor of a listener address.
func connsName(listener string) string { return "conns-" + listener }
