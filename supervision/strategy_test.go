package supervision

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// fakeSupervisor records what a strategy asks of it.
type fakeSupervisor struct {
	restarted, stopped, resumed []*actor.PID
	escalated                   []any
}

var _ actor.Supervisor = (*fakeSupervisor)(nil)

func (f *fakeSupervisor) Children() []*actor.PID { return nil }
func (f *fakeSupervisor) EscalateFailure(reason, _ any) {
	f.escalated = append(f.escalated, reason)
}
func (f *fakeSupervisor) RestartChildren(pids ...*actor.PID) {
	f.restarted = append(f.restarted, pids...)
}
func (f *fakeSupervisor) StopChildren(pids ...*actor.PID)   { f.stopped = append(f.stopped, pids...) }
func (f *fakeSupervisor) ResumeChildren(pids ...*actor.PID) { f.resumed = append(f.resumed, pids...) }

// applied returns the directive the strategy applied to the fake's children in
// its last call, after checking it applied exactly one.
func (f *fakeSupervisor) applied(t testing.TB) actor.Directive {
	t.Helper()
	n := len(f.restarted) + len(f.stopped) + len(f.resumed) + len(f.escalated)
	if n != 1 {
		t.Fatalf("strategy applied %d directives (restart %v, stop %v, resume %v, escalate %v); want 1",
			n, f.restarted, f.stopped, f.resumed, f.escalated)
	}
	var d actor.Directive
	switch {
	case len(f.restarted) == 1:
		d = actor.RestartDirective
	case len(f.stopped) == 1:
		d = actor.StopDirective
	case len(f.resumed) == 1:
		d = actor.ResumeDirective
	default:
		d = actor.EscalateDirective
	}
	*f = fakeSupervisor{}
	return d
}

// newSystem returns a real actor system whose supervisor events are collected.
func newSystem(t testing.TB) (*actor.ActorSystem, func() []*actor.SupervisorEvent) {
	t.Helper()
	sys := actor.NewActorSystem()
	var events []*actor.SupervisorEvent
	sub := sys.EventStream.Subscribe(func(evt any) {
		if e, ok := evt.(*actor.SupervisorEvent); ok {
			events = append(events, e) // Publish is synchronous: no lock needed
		}
	})
	t.Cleanup(func() {
		sys.EventStream.Unsubscribe(sub)
		sys.Shutdown()
	})
	return sys, func() []*actor.SupervisorEvent {
		got := events
		events = nil
		return got
	}
}

// TestStrategyRestartIntensity ensures a child failing with a restartable error
// is restarted MaxRestarts times within the window and stopped on the next
// failure, that each decision reaches the observer with the right fields before
// being applied, and that protoactor's event stream hears of it.
func TestStrategyRestartIntensity(t *testing.T) {
	sys, events := newSystem(t)
	var got []Decision
	s := NewStrategy(Intensity{MaxRestarts: 3, Within: time.Minute}, func(d Decision) { got = append(got, d) })
	sup := &fakeSupervisor{}
	child := actor.NewPID("nonhost", "acceptor/conn-1")
	rs := actor.NewRestartStatistics()
	reason := errors.New("bug")

	for i := 1; i <= 4; i++ {
		want := Decision{Child: child, Category: Internal, Cause: reason, Directive: actor.RestartDirective,
			Restarts: i, Budget: 3}
		if i == 4 {
			want.Directive = actor.StopDirective
		}
		s.HandleFailure(sys, sup, child, rs, reason, nil)
		if d := sup.applied(t); d != want.Directive {
			t.Errorf("failure %d: HandleFailure applied %v; want %v", i, d, want.Directive)
		}
		if len(got) != 1 {
			t.Fatalf("failure %d: observer got %d decisions; want 1", i, len(got))
		}
		if d := got[0]; d != want {
			t.Errorf("failure %d: observer got %+v; want %+v", i, d, want)
		}
		got = nil
		ev := events()
		if len(ev) != 1 || ev[0].Child != child || ev[0].Reason != reason || ev[0].Directive != want.Directive {
			t.Errorf("failure %d: event stream got %+v; want one SupervisorEvent{%v, %v, %v}",
				i, ev, child, reason, want.Directive)
		}
	}
}

// TestStrategyStopCategories ensures a Stop category is stopped on its first
// failure and does not spend the restart budget.
func TestStrategyStopCategories(t *testing.T) {
	sys, _ := newSystem(t)
	var got []Decision
	s := NewStrategy(Intensity{MaxRestarts: 3, Within: time.Minute}, func(d Decision) { got = append(got, d) })
	sup := &fakeSupervisor{}
	child := actor.NewPID("nonhost", "acceptor/conn-2")
	rs := actor.NewRestartStatistics()
	for _, c := range []Category{ConnectionFailed, Timeout, TooLarge} {
		reason := New(c, "read", nil)
		s.HandleFailure(sys, sup, child, rs, reason, nil)
		if d := sup.applied(t); d != actor.StopDirective {
			t.Errorf("HandleFailure(%v) applied %v; want %v", reason, d, actor.StopDirective)
		}
		want := Decision{Child: child, Category: c, Cause: reason, Directive: actor.StopDirective, Restarts: 0, Budget: 3}
		if len(got) != 1 || got[0] != want {
			t.Errorf("HandleFailure(%v): observer got %+v; want [%+v]", reason, got, want)
		}
		got = nil
	}
	if n := rs.FailureCount(); n != 0 {
		t.Errorf("restart statistics count %d failures after Stop decisions; want 0", n)
	}

	// After a restart, a Stop decision reports the restart already used.
	s.HandleFailure(sys, sup, child, rs, errors.New("bug"), nil)
	sup.applied(t)
	got = nil
	reason := New(Timeout, "read", nil)
	s.HandleFailure(sys, sup, child, rs, reason, nil)
	sup.applied(t)
	if len(got) != 1 || got[0].Restarts != 1 || got[0].Directive != actor.StopDirective {
		t.Errorf("Stop after one restart: observer got %+v; want Restarts 1, Stop", got)
	}
}

// TestStrategyNoRestarts ensures MaxRestarts 0 means a restartable failure is
// stopped at once: no restarts at all.
func TestStrategyNoRestarts(t *testing.T) {
	sys, _ := newSystem(t)
	var got []Decision
	s := NewStrategy(Intensity{MaxRestarts: 0, Within: time.Minute}, func(d Decision) { got = append(got, d) })
	sup := &fakeSupervisor{}
	child := actor.NewPID("nonhost", "acceptor/conn-3")
	reason := New(BadRequest, "parse", nil)
	s.HandleFailure(sys, sup, child, actor.NewRestartStatistics(), reason, nil)
	if d := sup.applied(t); d != actor.StopDirective {
		t.Errorf("HandleFailure(%v) with MaxRestarts 0 applied %v; want %v", reason, d, actor.StopDirective)
	}
	if len(got) != 1 || got[0].Directive != actor.StopDirective || got[0].Budget != 0 {
		t.Errorf("observer got %+v; want one Stop decision with budget 0", got)
	}
}

// TestStrategyWindow ensures failures older than the intensity window do not
// count against the budget: a child that fails rarely is restarted forever, and
// the strategy keeps no more than the restarts inside the window, however long
// the child lives.
func TestStrategyWindow(t *testing.T) {
	sys, _ := newSystem(t)
	var got []Decision
	const within = 20 * time.Millisecond
	s := NewStrategy(Intensity{MaxRestarts: 1, Within: within}, func(d Decision) { got = append(got, d) })
	clock := time.Unix(1000, 0)
	s.now = func() time.Time { return clock }
	sup := &fakeSupervisor{}
	child := actor.NewPID("nonhost", "acceptor/conn-4")
	for i := range 1000 {
		s.HandleFailure(sys, sup, child, actor.NewRestartStatistics(), "panic", nil)
		if d := sup.applied(t); d != actor.RestartDirective {
			t.Fatalf("failure %d, each %v apart: applied %v; want %v", i+1, 2*within, d, actor.RestartDirective)
		}
		if r := got[len(got)-1].Restarts; r != 1 {
			t.Fatalf("failure %d: Restarts = %d; want 1 (older failures are outside the window)", i+1, r)
		}
		if n := len(s.restarts[child.Id]); n != 1 {
			t.Fatalf("failure %d: strategy holds %d restart times of the child; want 1", i+1, n)
		}
		clock = clock.Add(2 * within)
	}
}

// TestStrategyForgetsEndedChildren ensures the strategy's memory of children
// that restarted once and then ended without a Stop decision (a peer's EOF) is
// swept once their restarts leave the window: it stays bounded by the children
// that restarted within one window.
func TestStrategyForgetsEndedChildren(t *testing.T) {
	sys, _ := newSystem(t)
	const within = time.Second
	s := NewStrategy(Intensity{MaxRestarts: 3, Within: within}, func(Decision) {})
	clock := time.Unix(1000, 0)
	s.now = func() time.Time { return clock }
	sup := &fakeSupervisor{}
	for i := range 10000 {
		child := actor.NewPID("nonhost", fmt.Sprintf("acceptor/conn-%d", i))
		s.HandleFailure(sys, sup, child, actor.NewRestartStatistics(), "panic", nil)
		sup.applied(t)
		clock = clock.Add(within / 10) // ten children restart per window
	}
	if n := len(s.restarts); n > 2*10+64 {
		t.Errorf("after 10000 children restarted once, 10 per window: strategy remembers %d; want at most %d",
			n, 2*10+64)
	}
}

// TestStrategyStopRestarting ensures that after StopRestarting every failure is
// stopped, restartable categories included: a supervisor that is shutting down
// never brings a child back.
func TestStrategyStopRestarting(t *testing.T) {
	sys, _ := newSystem(t)
	var got []Decision
	s := NewStrategy(DefaultIntensity, func(d Decision) { got = append(got, d) })
	sup := &fakeSupervisor{}
	child := actor.NewPID("nonhost", "root/acceptor-127.0.0.1:1")
	s.StopRestarting()
	for _, reason := range []any{New(ListenerFailed, "accept", nil), New(Internal, "x", nil), "panic"} {
		s.HandleFailure(sys, sup, child, actor.NewRestartStatistics(), reason, nil)
		if d := sup.applied(t); d != actor.StopDirective {
			t.Errorf("after StopRestarting, HandleFailure(%v) applied %v; want %v", reason, d, actor.StopDirective)
		}
	}
	if len(got) != 3 || got[0].Directive != actor.StopDirective {
		t.Errorf("observer got %+v; want three Stop decisions", got)
	}
}
