package netpoll

import (
	"sync"
	"time"
)

// The end of a busy connection's hot spell. A hot reader's spell ends hotFor
// after its last input; a socket deadline kept that far ahead must move with
// the input, which on a busy connection is a runtime timer update every
// hotFor/2, a measurable share of a round trip at 100 connections. So the
// busy hot readers (busyReads reads) keep only the input's own deadline on
// their socket, and one sweeper goroutine ends their spells instead: every
// hotFor/2 it wakes, with a read deadline already passed, each reader whose
// last input is hotFor old or more. The reader then decides by its own
// clock (serveHot): a spell that has ended goes cold, one whose input came
// meanwhile reads on. A spell so ends between hotFor and 1.5 hotFor after its
// last input, instead of between hotFor/2 and hotFor with a socket deadline.
// A connection not yet busy keeps its socket deadline (hotForNew is shorter
// than a sweep).

// sweeper is the set of busy hot readers and its goroutine, which runs while
// the set is not empty.
var sweeper struct {
	mu      sync.Mutex
	conns   []*Conn       // the busy hot readers; each knows its index (input.sweptAt)
	running bool          // the goroutine runs
	empty   chan struct{} // the set emptied: the goroutine may end at once (capacity 1)
}

// kicked is the read deadline the sweeper sets to wake a reader: long past.
var kicked = time.Unix(1, 0)

// sweep puts c's hot reader, busy now, in the sweeper's set, which ends its
// spell from then on. The reader calls it.
func (c *Conn) sweep() {
	c.in.swept = true
	sweeper.mu.Lock()
	defer sweeper.mu.Unlock()
	c.in.sweptAt = int32(len(sweeper.conns))
	sweeper.conns = append(sweeper.conns, c)
	if !sweeper.running {
		sweeper.running = true
		if sweeper.empty == nil {
			sweeper.empty = make(chan struct{}, 1)
		}
		go runSweeper(hotFor, sweeper.empty)
	}
}

// unsweep takes c's reader out of the sweeper's set, if it is in: its spell
// is over. The reader calls it.
func (c *Conn) unsweep() {
	if !c.in.swept {
		return
	}
	c.in.swept = false
	sweeper.mu.Lock()
	defer sweeper.mu.Unlock()
	last := len(sweeper.conns) - 1
	moved := sweeper.conns[last]
	sweeper.conns[c.in.sweptAt], moved.in.sweptAt = moved, c.in.sweptAt
	sweeper.conns[last] = nil
	sweeper.conns = sweeper.conns[:last]
	if last == 0 {
		select {
		case sweeper.empty <- struct{}{}:
		default:
		}
	}
}

// runSweeper is the sweeper's goroutine: every spell/2 it wakes the readers
// whose spell has ended. It exits once the set is empty (the last reader to
// leave it tells it); the next reader to join starts another.
func runSweeper(spell time.Duration, empty chan struct{}) {
	tick := time.NewTimer(spell / 2)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-empty:
		}
		sweeper.mu.Lock()
		if len(sweeper.conns) == 0 {
			sweeper.running = false
			sweeper.mu.Unlock()
			return
		}
		t := now()
		for _, c := range sweeper.conns {
			if stamp(c.since.Load())+stamp(spell) <= t {
				_ = c.conn.SetReadDeadline(kicked)
			}
		}
		sweeper.mu.Unlock()
		tick.Reset(spell / 2)
	}
}
