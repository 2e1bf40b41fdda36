package resp

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// cmdMetrics are the per-command Prometheus metrics (/metrics, with the
// observatory on): calls, error replies and run latency, labelled by the
// command's full name ("client|list"), so the label set is the command table
// plus "unknown". A command's children are made on its first use, then kept
// by command index: after that a command costs atomic adds, no lookup by
// label and no allocation, and /metrics lists only the commands used.
//
// Unlike INFO commandstats (CONFIG RESETSTAT zeroes it) these only grow, as
// Prometheus counters must.
type cmdMetrics struct {
	calls, errors *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	byIndex       []atomic.Pointer[cmdChildren] // by flat index; the last one: unknown
}

// cmdChildren are one command's children of the three vectors.
type cmdChildren struct {
	calls, errors prometheus.Counter
	latency       prometheus.Observer
}

// unknownLabel is the label of every command not in the table.
const unknownLabel = "unknown"

// latencyBuckets run from 1 µs to about 1 s, by 4: a key-space command takes
// microseconds, a blocked one's wait is not counted (only its runs).
var latencyBuckets = prometheus.ExponentialBuckets(1e-6, 4, 11)

// registerMetrics is the Setup's Metrics: it makes srv's metrics and
// registers them with reg.
func (srv *server) registerMetrics(reg prometheus.Registerer) {
	m := &cmdMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "async_server_resp_commands_total",
			Help: "resp commands answered, by command (unknown: not in the table), whether run or refused."}, []string{"command"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "async_server_resp_command_errors_total",
			Help: "resp commands answered with an error reply, by command."}, []string{"command"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "async_server_resp_command_duration_seconds",
			Help:    "How long resp commands took to run where they run (key space, broker, connection), by command; refused ones are not counted.",
			Buckets: latencyBuckets}, []string{"command"}),
		byIndex: make([]atomic.Pointer[cmdChildren], len(flat)+1),
	}
	owed := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "async_server_resp_shard_batches_owed",
		Help: "In cluster mode: batches of commands the node's shard router has taken and not yet answered (waiting for a shard grain, or in flight to it)."},
		func() float64 { return float64(srv.shardOwed.Load()) })
	batches := func(path string, n *atomic.Int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "async_server_resp_keyspace_batches_total",
			Help:        "Batches of commands (a read's commands for the key space) the key space ran, by path: sent as a message, or run directly on the connection's goroutine because the key space was idle.",
			ConstLabels: prometheus.Labels{"path": path}},
			func() float64 { return float64(n.Load()) })
	}
	reg.MustRegister(m.calls, m.errors, m.latency, owed,
		batches("message", &srv.direct.messages), batches("direct", &srv.direct.runs))
	srv.metrics = m
}

// of returns the children of command c (nil: unknown).
func (m *cmdMetrics) of(c *Command) *cmdChildren {
	i, name := len(flat), unknownLabel
	if c != nil {
		i, name = c.index, c.fullName
	}
	if ch := m.byIndex[i].Load(); ch != nil {
		return ch
	}
	// First use: two racing callers get the same children from the vectors.
	ch := &cmdChildren{calls: m.calls.WithLabelValues(name), errors: m.errors.WithLabelValues(name),
		latency: m.latency.WithLabelValues(name)}
	m.byIndex[i].Store(ch)
	return ch
}

// observeRun counts a run of c that took d; failed: its reply is an error.
func (srv *server) observeRun(c *Command, d time.Duration, failed bool) {
	if srv.metrics == nil {
		return
	}
	ch := srv.metrics.of(c)
	ch.calls.Inc()
	if failed {
		ch.errors.Inc()
	}
	ch.latency.Observe(d.Seconds())
}

// observeRefused counts command c (nil: unknown) answered with an error
// without being run.
func (srv *server) observeRefused(c *Command) {
	if srv.metrics == nil {
		return
	}
	ch := srv.metrics.of(c)
	ch.calls.Inc()
	ch.errors.Inc()
}
