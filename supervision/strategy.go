package supervision

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Intensity bounds restarts, as in Erlang/OTP: more than MaxRestarts restarts of one
// child within Within and the child is stopped instead.
type Intensity struct {
	MaxRestarts int
	Within      time.Duration
}

// DefaultIntensity is three restarts in ten seconds: enough to ride out a bad
// request or two, few enough that a connection that fails on every message is
// closed within a second of traffic.
var DefaultIntensity = Intensity{MaxRestarts: 3, Within: 10 * time.Second}

// Decision is one supervision decision, as reported to the strategy's observer.
type Decision struct {
	Child     *actor.PID
	Category  Category
	Cause     any             // the failure reason (the panic value)
	Directive actor.Directive // what was done: Restart or Stop
	Restarts  int             // restarts of this child within the intensity window, this failure included if restartable
	Budget    int             // Intensity.MaxRestarts
	Injected  bool            // the failure was injected (supervision.Inject), not real
}

// Strategy is a one-for-one supervisor strategy that decides by Decide, applies
// restart intensity, and reports every decision to an observer before applying it.
//
// It keeps each child's restart times itself, pruned to the intensity window,
// instead of protoactor's RestartStatistics, which never forgets a failure: a
// connection that fails now and then for days would grow it without end.
type Strategy struct {
	intensity Intensity
	observe   func(Decision)
	restarts  map[string][]time.Time // by child PID id: restarts within the window, oldest first
	sweepAt   int                    // sweep the map of stale children when it grows past this
	final     bool                   // StopRestarting was called
	now       func() time.Time       // the clock; tests set it
}

var _ actor.SupervisorStrategy = (*Strategy)(nil)

// NewStrategy returns a Strategy. observe runs on the supervisor's goroutine (so it
// may read the supervisor's state) and must not block or panic.
func NewStrategy(in Intensity, observe func(Decision)) *Strategy {
	return &Strategy{intensity: in, observe: observe, restarts: make(map[string][]time.Time),
		now: time.Now}
}

// StopRestarting makes every later decision Stop, whatever the category: a
// supervisor that is shutting down must not bring a child back to life. Call it
// on the supervisor's goroutine.
func (s *Strategy) StopRestarting() { s.final = true }

// HandleFailure implements actor.SupervisorStrategy. It runs on the supervisor's
// goroutine.
func (s *Strategy) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, reason, _ any) {
	cat, dir := Decide(reason)
	if s.final {
		dir = actor.StopDirective
	}
	now := s.now()
	restarts := s.recent(child.Id, now)
	if dir == actor.RestartDirective {
		restarts = append(restarts, now)
		if len(restarts) > s.intensity.MaxRestarts {
			dir = actor.StopDirective
		}
	}
	if dir == actor.RestartDirective {
		s.restarts[child.Id] = restarts
	} else {
		delete(s.restarts, child.Id) // a stopped child is gone for good
	}
	s.observe(Decision{Child: child, Category: cat, Cause: reason, Directive: dir,
		Restarts: len(restarts), Budget: s.intensity.MaxRestarts, Injected: IsInjected(reason)})
	// Keep protoactor's own event stream informed, as its built-in strategies do.
	sys.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: dir})
	if dir == actor.RestartDirective {
		sup.RestartChildren(child)
	} else {
		sup.StopChildren(child)
	}
}

// recent returns the child's restarts still inside the window at now, and sweeps
// children whose restarts have all left it (a child that ended without a Stop
// decision, at its peer's EOF, say). Sweeping when the map has doubled keeps the
// cost amortized constant and the map no larger than twice the children that
// restarted within one window.
func (s *Strategy) recent(id string, now time.Time) []time.Time {
	if len(s.restarts) > s.sweepAt {
		for k, ts := range s.restarts {
			if len(InWindow(ts, s.intensity.Within, now)) == 0 {
				delete(s.restarts, k)
			}
		}
		s.sweepAt = 2*len(s.restarts) + 64
	}
	return InWindow(s.restarts[id], s.intensity.Within, now)
}

// InWindow drops the restart times at the front of ts (oldest first) that are
// outside the window within at now. A zero window counts every restart ever,
// as protoactor's does. The observatory counts its budget bars with it too.
func InWindow(ts []time.Time, within time.Duration, now time.Time) []time.Time {
	if within <= 0 {
		return ts
	}
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= within {
		i++
	}
	return ts[i:]
}
