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
}

// Strategy is a one-for-one supervisor strategy that decides by Decide, applies
// restart intensity, and reports every decision to an observer before applying it.
type Strategy struct {
	intensity Intensity
	observe   func(Decision)
}

var _ actor.SupervisorStrategy = (*Strategy)(nil)

// NewStrategy returns a Strategy. observe runs on the supervisor's goroutine (so it
// may read the supervisor's state) and must not block or panic.
func NewStrategy(in Intensity, observe func(Decision)) *Strategy {
	return &Strategy{intensity: in, observe: observe}
}

// HandleFailure implements actor.SupervisorStrategy.
func (s *Strategy) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason, _ any) {
	cat, dir := Decide(reason)
	restarts := rs.NumberOfFailures(s.intensity.Within) // used so far
	if dir == actor.RestartDirective {
		rs.Fail()
		restarts = rs.NumberOfFailures(s.intensity.Within)
		if restarts > s.intensity.MaxRestarts {
			dir = actor.StopDirective
		}
	}
	s.observe(Decision{Child: child, Category: cat, Cause: reason, Directive: dir,
		Restarts: restarts, Budget: s.intensity.MaxRestarts})
	// Keep protoactor's own event stream informed, as its built-in strategies do.
	sys.EventStream.Publish(&actor.SupervisorEvent{Child: child, Reason: reason, Directive: dir})
	if dir == actor.RestartDirective {
		sup.RestartChildren(child)
	} else {
		sup.StopChildren(child)
	}
}
