package actors

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
)

// budget is the server's memory budget (-memory-budget) for what its clients
// make it hold: each connection's buffered input, as its behavior reports it
// (protocol.Conn.Hold: a request body, an unfinished request, lines waiting
// for a service), and what other actors have queued for it (outbox.go). Every
// per-connection bound (-max-body, -output-limit, ...) holds, but their sum
// over -max-conns connections is far more than a machine has; the budget
// bounds the sum, as Redis's maxmemory-clients does.
//
//   - Near the budget (past pauseAt, three quarters of it), a connection that
//     holds minPause or more is not acked after its input: its reader reads
//     no more and TCP pushes back on its peer. Connections that hold little,
//     well-behaved clients, are read as before, so past pauseAt the total
//     grows by at most a read and minPause for each of them. Below resumeAt
//     (half the budget) every paused connection is read again. One that
//     alone holds resumeAt or more is closed instead of paused (closeHalf).
//   - Past the budget, the connection that holds the most is closed, with a
//     log line naming it (within its listener's log budget), and the next
//     largest while the total is still over. Charges that would pass the
//     budget take turns (add), so the total passes it by at most one charge
//     (a read, a segment of a body, a message), however many connections
//     charge at once; the peak gauge shows the most it has been.
//
// The counts are atomics: a connection's own goroutine adds its input, and
// any actor that sends to it adds its output (outbox.MessagePosted). The
// mutex guards the sets, touched when a connection opens, closes, is paused
// or resumed, and a charge that would pass the budget and the eviction that
// follows (which scans every connection: rare).
type budget struct {
	limit    int64 // bytes; 0: no budget
	pauseAt  int64
	resumeAt int64

	total   atomic.Int64 // bytes held over every connection
	peak    atomic.Int64 // the most total has been
	paused  atomic.Int32 // connections paused now
	evicted atomic.Int64 // connections closed for the budget, ever

	mu     sync.Mutex
	links  map[*link]struct{} // every connection counted
	asleep map[*link]struct{} // the paused ones
}

// minPause is the least a connection must hold to be paused near the
// budget: a connection holding a few kilobytes (a request, a line) is no
// threat, and pausing it would only slow a well-behaved client; one holding
// more is in the middle of a large body, or is owed much output.
const minPause = 64 << 10

// gone is a link's charged value once the budget no longer counts it (it was
// evicted, or it has stopped): later charges are dropped.
const gone = math.MinInt64

func newBudget(limit int64) *budget {
	return &budget{limit: limit, pauseAt: limit / 4 * 3, resumeAt: limit / 2,
		links: map[*link]struct{}{}, asleep: map[*link]struct{}{}}
}

// join counts l, a new connection.
func (b *budget) join(l *link) {
	b.mu.Lock()
	b.links[l] = struct{}{}
	b.mu.Unlock()
}

// leave forgets l, whose actor has stopped: what it held is freed.
func (b *budget) leave(l *link) {
	if c := l.charged.Swap(gone); c != gone {
		b.release(c)
	}
	b.mu.Lock()
	delete(b.links, l)
	if _, ok := b.asleep[l]; ok {
		delete(b.asleep, l)
		b.paused.Add(-1)
	}
	b.mu.Unlock()
}

// charge adds delta bytes to what l holds (negative: it freed some). Any
// goroutine may call it; it never blocks for long (an eviction scans the
// connections under the mutex). Its callers charge whole multiples of
// chargeGrain (counted).
func (l *link) charge(delta int64) {
	b := l.env.budget
	if b == nil || delta == 0 {
		return
	}
	for {
		c := l.charged.Load()
		if c == gone {
			return
		}
		if l.charged.CompareAndSwap(c, c+delta) {
			break
		}
	}
	if delta < 0 {
		b.release(-delta)
		return
	}
	b.add(delta)
}

// add counts delta more bytes held. Within the budget it is a
// compare-and-swap; a charge that would pass the budget takes the mutex,
// adds and evicts under it, so that charges on many goroutines at once never
// pass the budget together: the total is over it by at most one charge, and
// only until that charge's eviction is done.
func (b *budget) add(delta int64) {
	for b.limit > 0 {
		t := b.total.Load()
		if t+delta > b.limit {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.raisePeak(b.total.Add(delta))
			b.evictLocked()
			return
		}
		if b.total.CompareAndSwap(t, t+delta) {
			b.raisePeak(t + delta)
			return
		}
	}
	b.raisePeak(b.total.Add(delta))
}

// raisePeak records t as the peak if it is the most held yet.
func (b *budget) raisePeak(t int64) {
	for p := b.peak.Load(); t > p; p = b.peak.Load() {
		if b.peak.CompareAndSwap(p, t) {
			return
		}
	}
}

// chargeGrain is the unit in which the budget counts what a connection
// holds: each of its two parts (what its behavior holds, Hold; what others
// queued for it, outbox) is counted rounded down to a multiple (counted),
// so it is charged only when it crosses one. The small changes of every
// message (at redis-benchmark -P 1, the command held until its reply and
// the reply queued until taken: four charges per command, none crossing a
// KiB) then touch neither the link's count nor the total every core
// writes, nor check for an eviction; a connection is undercounted by less
// than 2 KiB, and one that holds enough to be paused (minPause, 64 KiB)
// is counted within 3%.
const chargeGrain = 1 << 10

// counted is what the budget counts of a part of a connection's holding
// of c bytes.
func counted(c int64) int64 { return c &^ (chargeGrain - 1) }

// recount charges the change in what is counted of a part that went from
// was bytes to now.
func (l *link) recount(was, now int64) {
	if d := counted(now) - counted(was); d != 0 {
		l.charge(d)
	}
}

// release subtracts n freed bytes from the total, and wakes the paused
// connections once the total is below resumeAt.
func (b *budget) release(n int64) {
	t := b.total.Add(-n)
	if n > 0 && b.paused.Load() > 0 && t < b.resumeAt {
		b.resume()
	}
}

// pause reports whether l, which has just handled its input, should be read
// no more for now, and if so counts it paused. Only its actor calls it.
func (b *budget) pause(l *link) bool {
	if b == nil || b.limit <= 0 || l.budgetPaused {
		return l.budgetPaused
	}
	t, held := b.total.Load(), l.charged.Load()
	if t <= b.pauseAt || held < minPause {
		return false
	}
	if held >= b.resumeAt {
		b.closeHalf(l, held)
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asleep[l] = struct{}{}
	b.paused.Add(1)
	l.budgetPaused = true
	return true
}

// closeHalf closes l, which holds half the budget or more and is to be
// paused: paused, it would never be read again (the others are resumed only
// once the total is below half the budget, which its own holding keeps it
// above), and every other connection holding minPause or more would be
// paused with it until it went. A transaction queued without end (resp's
// MULTI) or a body near -max-body under a small budget, say. It is closed
// as the largest holder past the budget is, and what it held is freed.
func (b *budget) closeHalf(l *link, held int64) {
	c := l.charged.Swap(gone)
	if c == gone {
		return // already closed for the budget
	}
	b.evicted.Add(1)
	l.closeForBudget(held, b.total.Load(), b.limit, "memory budget: one connection holds half of it; closing it")
	b.release(c)
}

// resume tells every paused connection to read again.
func (b *budget) resume() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for l := range b.asleep {
		l.env.root.Send(l.self, &budgetResumed{})
		delete(b.asleep, l)
	}
	b.paused.Store(0)
}

// evictLocked, under the mutex, closes the connections that hold the most until the total is within
// the budget again. A closed connection stops counting at once (its memory
// is freed as its actor stops, moments later), so one over-budget moment
// closes one connection, not every one that charges before it is gone.
func (b *budget) evictLocked() {
	for b.total.Load() > b.limit {
		var largest *link
		var most int64
		for l := range b.links {
			if c := l.charged.Load(); c != gone && c > most {
				largest, most = l, c
			}
		}
		if largest == nil {
			return
		}
		if c := largest.charged.Swap(gone); c != gone {
			b.total.Add(-c)
		}
		b.evicted.Add(1)
		largest.closeForBudget(most, b.total.Load()+most, b.limit, "memory budget exceeded; closing the connection that holds the most")
	}
}

// closeForBudget closes l, which held held bytes of total: the socket at
// once and the actor with a Stop, as an output limit does, with a warning
// saying why (msg).
func (l *link) closeForBudget(held, total, limit int64, msg string) {
	if e := l.env.failures.entry(l.Log(), logrus.WarnLevel); e != nil {
		e.WithFields(logrus.Fields{"held": held, "total": total, "budget": limit}).Warn(msg)
	}
	l.setEnd(endBudget)
	l.shut(false)
	l.env.root.Stop(l.self)
}

// budgetResumed tells a paused connection's actor that the budget has room
// again: it acks the input it held back.
type budgetResumed struct{}

// IgnoreDeadLetterLogging: a connection that stopped as it was resumed is
// routine.
func (*budgetResumed) IgnoreDeadLetterLogging() {}

// Hold implements protocol.Conn.
func (l *link) Hold(n int) {
	l.recount(l.held, int64(n))
	l.held = int64(n)
}

// register adds the budget's metrics to reg (the observatory's /metrics):
// the bytes held, the budget, the connections paused for it and those closed
// for it. A nil budget registers nothing.
func (b *budget) register(reg *prometheus.Registry) {
	if b == nil {
		return
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "async_server_memory_held_bytes",
			Help: "Bytes the connections hold for their clients: buffered input and queued output (-memory-budget)."},
			func() float64 { return float64(b.total.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "async_server_memory_held_peak_bytes",
			Help: "The most the connections have held at once since the server started."},
			func() float64 { return float64(b.peak.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "async_server_memory_budget_bytes",
			Help: "The memory budget for what connections hold (-memory-budget)."},
			func() float64 { return float64(b.limit) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "async_server_memory_paused_connections",
			Help: "Connections not read because the server is near its memory budget and they hold the most."},
			func() float64 { return float64(b.paused.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "async_server_memory_budget_closed_total",
			Help: "Connections closed for holding the most when the memory budget was exceeded."},
			func() float64 { return float64(b.evicted.Load()) }))
}
