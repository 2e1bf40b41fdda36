package cluster

import (
	"sync"
	"time"
)

// lineBudget bounds the log lines the guard writes for what peers send
// (drops, failed streams), over the whole node: at most budgetLines in each
// budgetEvery. A bound per stream was not one: a client of -node-addr can
// open streams without end, each with its own 10 lines. The lines past the
// budget are only counted, and the next line logged says how many.
type lineBudget struct {
	mu       sync.Mutex
	start    time.Time // when the current period began
	used     int       // lines logged in it
	unlogged int       // lines not logged since the last one that was
}

const (
	budgetLines = 10
	budgetEvery = 10 * time.Second
)

// take reports whether a line may be logged now, and if so how many were
// not logged before it.
func (b *lineBudget) take(now time.Time) (ok bool, unlogged int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.start) >= budgetEvery {
		b.start, b.used = now, 0
	}
	if b.used >= budgetLines {
		b.unlogged++
		return false, 0
	}
	b.used++
	unlogged, b.unlogged = b.unlogged, 0
	return true, unlogged
}
