package netpoll

import (
	"sync"
	"time"
)

// Runners are the goroutines that run mailbox runs handed elsewhere
// (Go): a connection's runs that its reader did not start, and the
// acceptors'. A runner runs one run at a time, so while it runs a
// connection's run it is that connection's goroutine and nobody else's; then
// it parks, and the next run handed elsewhere takes the runner that parked
// last, whose stack is warm. A runner parked for runnerIdle exits.
//
// Parking is a receive on the runner's own channel, with no timer: one reaper
// goroutine, which runs only while some runner is parked, ends those parked
// too long every runnerIdle. (A timer per runner, reset and selected on at
// every park, cost the accept path about a tenth of its user CPU.)

// runnerIdle is how long a runner stays parked before it exits: from
// runnerIdle to twice that.
const runnerIdle = 20 * time.Millisecond

// runner is one runner goroutine's handle while it is parked.
type runner struct {
	work     chan func() // capacity 1: handing it a run never blocks; nil: exit
	parkedAt time.Time
}

// runners is the pool of parked runners, in the order they parked: the last
// parked is the first taken, and the first parked the first reaped.
var runners struct {
	sync.Mutex
	parked  []*runner
	reaping bool // a reaper is running
}

// Go runs fn on a parked runner if one is idle, else on a new one.
// Reusing a runner spares a new goroutine its start and the growth of its
// stack to the depth of a run.
func Go(fn func()) {
	runners.Lock()
	if n := len(runners.parked); n > 0 {
		r := runners.parked[n-1]
		runners.parked[n-1] = nil
		runners.parked = runners.parked[:n-1]
		runners.Unlock()
		r.work <- fn
		return
	}
	runners.Unlock()
	go runRunner(fn)
}

// runRunner runs fn, then whatever runs it is handed, until it is reaped.
func runRunner(fn func()) {
	r := &runner{work: make(chan func(), 1)}
	for fn != nil {
		fn()
		r.park()
		fn = <-r.work
	}
}

// park puts r in the pool, and starts a reaper if none runs.
func (r *runner) park() {
	runners.Lock()
	r.parkedAt = time.Now() // under the lock: parked stays in the order of parkedAt, as the reaper needs
	runners.parked = append(runners.parked, r)
	if !runners.reaping {
		runners.reaping = true
		go reapRunners()
	}
	runners.Unlock()
}

// reapRunners ends, every runnerIdle, the runners parked for runnerIdle or
// more, and exits once none is parked.
func reapRunners() {
	for {
		time.Sleep(runnerIdle)
		cutoff := time.Now().Add(-runnerIdle)
		runners.Lock()
		old := 0
		for old < len(runners.parked) && !runners.parked[old].parkedAt.After(cutoff) {
			runners.parked[old].work <- nil
			old++
		}
		kept := copy(runners.parked, runners.parked[old:])
		clear(runners.parked[kept:])
		runners.parked = runners.parked[:kept]
		if kept == 0 {
			runners.reaping = false
			runners.Unlock()
			return
		}
		runners.Unlock()
	}
}
