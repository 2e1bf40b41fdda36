package netpoll

import "sync/atomic"

// Dispatcher is a connection actor's dispatcher: it decides which goroutine
// runs the actor's mailbox, and so the behavior's code and its socket writes.
// It has protoactor's actor.Dispatcher methods (Schedule, Throughput), so it
// serves as one without this package importing protoactor.
//
// The rule it keeps (actors/doc.go, Confinement): a connection's mailbox runs only on
// that connection's own goroutines: its reader, or a runner goroutine that does
// nothing else for the length of that one run. Never on the goroutine of whoever
// sent the message (the acceptor spawning or restarting it, a poison pill, a
// service), because protoactor runs a mailbox until its queues are empty, so the
// sender would also run every message that arrives meanwhile, writes to a slow
// peer included.
//
// protoactor calls Schedule on the goroutine that found the mailbox idle. If
// that is the reader inside a delivery ("awake": a Handler call), the run is handed to the reader,
// which runs it as soon as Send returns: a round trip costs no goroutine
// hand-off. Anyone else, or the reader while it waits in Read, hands the run to
// a runner (Go): a parked one if one is idle, else a new one. A run
// that blocks (a write to a peer that does not read) holds only its runner;
// the next run finds another.
type Dispatcher struct {
	state atomic.Int32 // unstarted, asleep, awake or handed
	// run is the mailbox run handed to the reader; written by Schedule before the
	// CAS that publishes it (state handed), read by the reader after it sees that.
	// protoactor schedules a mailbox at most once until the run ends, so there is
	// never more than one.
	run func()
	// conn's reader begins on the runner of the mailbox's first run (its
	// Started), once that run is over; set by Init, before the actor is
	// spawned. (A pointer, not the method value c.begin: that would be one
	// more small object on the heap for every connection.)
	conn *Conn
}

// The reader's states, as Schedule sees them.
const (
	unstarted int32 = iota // no run yet: the first is the actor's Started, and the reader starts after it
	asleep                 // the reader is reading or waiting: it cannot take a run
	awake                  // the reader is inside deliver: it runs what it is handed
	handed                 // a run has been handed to the awake reader
)

// dispatchThroughput is how many messages a mailbox run handles before it yields
// the processor (runtime.Gosched), protoactor's default.
const dispatchThroughput = 300

// Schedule implements actor.Dispatcher.
func (d *Dispatcher) Schedule(fn func()) {
	if d.state.Load() == awake {
		d.run = fn
		if d.state.CompareAndSwap(awake, handed) {
			return
		}
	}
	if d.conn != nil && d.state.CompareAndSwap(unstarted, asleep) {
		// The spawn's Started: the runner that runs it goes on as the reader,
		// so a new connection costs no hand-off before its first input.
		c := d.conn
		Go(func() { fn(); c.begin() })
		return
	}
	Go(fn)
}

// Throughput implements actor.Dispatcher.
func (d *Dispatcher) Throughput() int { return dispatchThroughput }

// RunnerDispatcher runs every mailbox run on a runner (Go). It is the
// acceptors': an acceptor wakes twice per connection (accepted, terminated), and
// protoactor's default dispatcher starts a new goroutine for each wake, which
// then grows its stack to the depth of a spawn; a parked runner has grown it
// already.
type RunnerDispatcher struct{}

// Schedule implements actor.Dispatcher.
func (RunnerDispatcher) Schedule(fn func()) { Go(fn) }

// Throughput implements actor.Dispatcher.
func (RunnerDispatcher) Throughput() int { return dispatchThroughput }

// wake begins a delivery: until sleep, a run scheduled is handed to the
// reader, which runs it in sleep. Only the reader calls it, just before it
// calls its Handler.
func (d *Dispatcher) wake() { d.state.Store(awake) }

// sleep runs every run handed to the awake reader, then puts it to sleep.
func (d *Dispatcher) sleep() {
	for !d.state.CompareAndSwap(awake, asleep) { // a run was handed over
		fn := d.run
		d.state.Store(awake)
		fn()
	}
}
