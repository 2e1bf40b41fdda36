package actors

import (
	"sync/atomic"

	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"
)

// A listener's connections log their failures (supervision decisions, the
// stacks of panics, input discarded at a close), and its accept loop its
// Accept errors, within budgets: a client that
// fails on purpose, again and again on fresh connections, must not turn each
// byte it sends into hundreds of bytes of log (an audit made -behavior faults
// write 235 MB in 10 s with "panic" lines). Each budget allows a burst of
// logBurst lines, then logRate a second. A line past it is not written but
// counted, and the next line written says how many were left out
// ("suppressed"); what is still counted at the shutdown is logged by root
// just before the shutdown report (root.go's phase 3), and by a connection
// supervisor that stops for good before it. Routine lines (a peer's reset or silence, at Info) have a
// budget of their own, so that a flood of them cannot crowd out the warnings;
// a line whose level is off costs nothing. The observatory's events and
// metrics (-admin) still see every decision.
const (
	logRate  = 10
	logBurst = 100
)

// logBudgets are one listener's budgets, shared by its accept loop, its
// connection supervisor and its connections' goroutines: warn for warnings
// and errors ("accept failed" among them), routine for Info.
type logBudgets struct{ warn, routine logBudget }

func newLogBudgets() *logBudgets {
	return &logBudgets{warn: logBudget{lim: rate.NewLimiter(logRate, logBurst)},
		routine: logBudget{lim: rate.NewLimiter(logRate, logBurst)}}
}

// entry returns e to write one line at level with, carrying how many lines
// were left out since the last one written, or nil if the line is not to be
// written: its level is off, or the budget is spent (the line is counted
// then). A nil *logBudgets (a link made by a test) has no limit.
func (b *logBudgets) entry(e *logrus.Entry, level logrus.Level) *logrus.Entry {
	if !e.Logger.IsLevelEnabled(level) {
		return nil
	}
	if b == nil {
		return e
	}
	budget := &b.warn
	if level >= logrus.InfoLevel {
		budget = &b.routine
	}
	return budget.take(e)
}

// flush logs how many lines are still counted and not reported, if any.
func (b *logBudgets) flush(e *logrus.Entry) {
	warn, routine := b.warn.suppressed.Swap(0), b.routine.suppressed.Swap(0)
	if warn+routine > 0 {
		e.WithFields(logrus.Fields{"suppressed": warn, "suppressed_routine": routine}).
			Warn("connection failures left out of the log (over its budget)")
	}
}

// logBudget is one budget: a token bucket and the lines it left out.
type logBudget struct {
	lim        *rate.Limiter
	suppressed atomic.Int64
}

func newLogBudget() *logBudget { return &logBudget{lim: rate.NewLimiter(logRate, logBurst)} }

// take returns e, carrying how many lines were left out since the last one
// written, or nil if the budget is spent (the line is counted then).
func (b *logBudget) take(e *logrus.Entry) *logrus.Entry {
	if !b.lim.Allow() {
		b.suppressed.Add(1)
		return nil
	}
	if n := b.suppressed.Swap(0); n > 0 {
		return e.WithField("suppressed", n)
	}
	return e
}
