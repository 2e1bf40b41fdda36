package testkit

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/observatory"
)

// Event is one thing the server's observatory reported: a connection accepted
// or stopped (with its Reason), a fault injected, or a supervisor's decision
// (Category, Directive, Restarts used within the window of Budget, Injected).
type Event = observatory.Event

// Match says whether an event is the one a wait is for.
type Match func(Event) bool

// IsDecision matches a decision about the actor called actor ("" for any)
// whose category is category ("" for any).
func IsDecision(actor, category string) Match {
	return func(e Event) bool {
		return e.Kind == observatory.Decision && (actor == "" || e.Actor == actor) &&
			(category == "" || e.Category == category)
	}
}

// recorder keeps every event of a hub since the server started, in order: the
// hub keeps only its last few for a late subscriber, and a wait must find an
// event that came before it.
type recorder struct {
	hub *observatory.Hub

	mu      sync.Mutex
	events  []Event
	gap     string        // set if events were lost (the hub no longer kept them)
	changed chan struct{} // closed and replaced whenever events grows
	sub     *observatory.Subscription
	stopped bool
	done    chan struct{} // closed when run returns; stop waits on it
}

// recorderBuffer is how many events the hub may hold for the recorder before
// it drops the subscription (the recorder then subscribes again from the last
// event it has, and the hub hands back what it kept since).
const recorderBuffer = 4096

// record starts a recorder of hub's events.
func record(hub *observatory.Hub) *recorder {
	r := &recorder{hub: hub, changed: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

// run reads the hub's feed until stop closes it, subscribing again after it
// fell behind. It is the recorder's one goroutine; stop waits for it.
func (r *recorder) run() {
	defer close(r.done)
	var last uint64
	for {
		r.mu.Lock()
		if r.stopped {
			r.mu.Unlock()
			return
		}
		sub, kept := r.hub.Subscribe(last, recorderBuffer)
		r.sub = sub
		r.mu.Unlock()
		for _, e := range kept {
			last = r.add(e, last)
		}
		for e := range sub.C {
			last = r.add(e, last)
		}
		if !sub.Lagged {
			return
		}
	}
}

// add appends e, unless it is one already had, and returns the last seq held.
func (r *recorder) add(e Event, last uint64) uint64 {
	if e.Seq <= last {
		return last
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Seq != last+1 && r.gap == "" {
		r.gap = fmt.Sprintf("events %d to %d were lost", last+1, e.Seq-1)
	}
	r.events = append(r.events, e)
	close(r.changed)
	r.changed = make(chan struct{})
	return e.Seq
}

// stop ends the recording and waits for its goroutine; again does nothing.
func (r *recorder) stop() {
	r.mu.Lock()
	r.stopped = true
	sub := r.sub
	r.mu.Unlock()
	if sub != nil {
		sub.Close()
	}
	<-r.done
}

// find returns the first event after seq that match accepts; else a channel
// closed when there are more events to look at.
func (r *recorder) find(after uint64, match Match) (Event, bool, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Seq > after && match(e) {
			return e, true, nil
		}
	}
	return Event{}, false, r.changed
}

// wait waits up to timeout for the first event after seq that match accepts.
func (r *recorder) wait(after uint64, timeout time.Duration, match Match) (Event, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		e, ok, changed := r.find(after, match)
		if ok {
			return e, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return Event{}, fmt.Errorf("not within %v", timeout)
		}
	}
}

// describe lists the events after seq that filter accepts, for a failure
// message.
func (r *recorder) describe(after uint64, filter Match) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		if e.Seq > after && (filter == nil || filter(e)) {
			fmt.Fprintf(&b, "\n\t%s", format(e))
		}
	}
	if r.gap != "" {
		fmt.Fprintf(&b, "\n\t(%s)", r.gap)
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// format is one event on one line.
func format(e Event) string {
	s := fmt.Sprintf("#%d %s %s", e.Seq, e.Kind, e.Actor)
	switch e.Kind {
	case observatory.Decision:
		s += fmt.Sprintf(" %s -> %s (restarts %d/%d, injected %v, cause %q)",
			e.Category, e.Directive, e.Restarts, e.Budget, e.Injected, e.Cause)
	case observatory.Injected:
		s += " " + e.Category + e.Stall
	case observatory.Stopped:
		s += fmt.Sprintf(" (%s)", e.Reason)
	case observatory.Accepted:
		s += " from " + e.Remote
	}
	return s
}

// WaitEvent waits for the first event since the server started that match
// accepts (one that came before the call counts), and returns it.
func (s *Server) WaitEvent(what string, match Match) Event {
	s.t.Helper()
	return s.waitAfter(s.t, 0, what, match)
}

// WaitDecision waits for the first supervision decision since the server
// started that match accepts (nil: any), and returns it. For the next decision
// about one connection, use Client.WaitDecision.
func (s *Server) WaitDecision(match Match) Event {
	s.t.Helper()
	return s.waitAfter(s.t, 0, "a decision", func(e Event) bool {
		return e.Kind == observatory.Decision && (match == nil || match(e))
	})
}

// Events returns every event since the server started, oldest first.
func (s *Server) Events() []Event {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	return append([]Event(nil), s.rec.events...)
}

// waitAfter waits for the first event after seq that match accepts, failing
// t with every event seen since seq.
func (s *Server) waitAfter(t testing.TB, after uint64, what string, match Match) Event {
	t.Helper()
	e, err := s.rec.wait(after, s.Timeout, match)
	if err != nil {
		t.Fatalf("testkit: waiting for %s: %v; events since:%s", what, err, s.rec.describe(after, nil))
	}
	return e
}
