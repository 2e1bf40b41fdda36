package actors

import (
	"sync/atomic"

	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"
)

// A listener's connections log their failures (supervision decisions, the
// stacks of panics) within a budget: a client that fails on purpose, again and
// again on fresh connections, must not turn each byte it sends into hundreds
// of bytes of log (an audit made -behavior faults write 235 MB in 10 s with
// "panic" lines). The budget allows a burst of logBurst lines, then logRate a
// second. A line past it is not written but counted, and the next line
// written says how many were left out ("suppressed"). Nothing else is
// limited: the observatory's events and metrics (-admin) see every decision.
const (
	logRate  = 10
	logBurst = 100
)

// logBudget is one listener's budget, shared by its acceptor and its
// connections' goroutines.
type logBudget struct {
	lim        *rate.Limiter
	suppressed atomic.Int64
}

func newLogBudget() *logBudget { return &logBudget{lim: rate.NewLimiter(logRate, logBurst)} }

// entry returns e to write one line with, carrying how many lines were left
// out since the last one written, or nil if the budget is spent (the line is
// counted then).
func (b *logBudget) entry(e *logrus.Entry) *logrus.Entry {
	if !b.lim.Allow() {
		b.suppressed.Add(1)
		return nil
	}
	if n := b.suppressed.Swap(0); n > 0 {
		return e.WithField("suppressed", n)
	}
	return e
}
