package observatory

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the hub's Prometheus metrics. Every name starts with
// async_server_; docs/admin.md lists them.
type metrics struct {
	reg         *prometheus.Registry
	open        *prometheus.GaugeVec   // listener, behavior
	accepted    *prometheus.CounterVec // listener, behavior
	closed      *prometheus.CounterVec // listener, behavior, reason
	decisions   *prometheus.CounterVec // category, directive, kind, injected
	restarts    *prometheus.CounterVec // kind
	faults      *prometheus.CounterVec // category, kind: faults injected
	rejected    *prometheus.CounterVec // listener, behavior
	deadLetters prometheus.Counter
	logEntries  prometheus.Counter
	shutdown    prometheus.Gauge
}

func newMetrics(h *Hub) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	f := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "async_server_" + name, Help: help}, labels)
	}
	m.open = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "async_server_connections_open",
		Help: "Connections whose actor is alive."}, []string{"listener", "behavior"})
	m.accepted = f("connections_accepted_total", "Connections accepted and given an actor.", "listener", "behavior")
	m.closed = f("connections_closed_total", "Connections whose actor stopped, by why.", "listener", "behavior", "reason")
	m.decisions = f("supervision_decisions_total", "Supervision decisions, by the failure's category, the directive and the kind of child.",
		"category", "directive", "kind", "injected")
	m.restarts = f("restarts_total", "Children restarted, by kind.", "kind")
	m.faults = f("faults_injected_total", "Faults injected (admin, -chaos, test kit), by category (or stall) and kind of target.", "category", "kind")
	m.rejected = f("connections_rejected_total", "Clients turned away at -max-conns with -at-limit reject.", "listener", "behavior")
	m.deadLetters = prometheus.NewCounter(prometheus.CounterOpts{Name: "async_server_dead_letters_total",
		Help: "Messages sent to actors that were gone."})
	m.logEntries = prometheus.NewCounter(prometheus.CounterOpts{Name: "async_server_log_entries_total",
		Help: "Entries the logger actor wrote."})
	m.shutdown = prometheus.NewGauge(prometheus.GaugeOpts{Name: "async_server_shutdown_duration_seconds",
		Help: "How long the graceful shutdown took, from its start to its report (0 until then)."})
	m.reg.MustRegister(m.open, m.accepted, m.closed, m.decisions, m.restarts, m.faults, m.rejected,
		m.deadLetters, m.logEntries, m.shutdown, bytesCollector{h},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// listenerState is what the hub keeps of one listener, on its acceptor's
// member: the bytes of its connections already gone, and its connections'
// counters, bound to their labels once rather than looked up by them at
// every accept and close.
type listenerState struct {
	gone     Stats
	accepted prometheus.Counter
	open     prometheus.Gauge
	closed   *prometheus.CounterVec // curried with listener and behavior: by reason
}

// listener makes the state of a listener.
func (m *metrics) listener(listener, behavior string) *listenerState {
	labels := prometheus.Labels{"listener": listener, "behavior": behavior}
	return &listenerState{accepted: m.accepted.With(labels), open: m.open.With(labels),
		closed: m.closed.MustCurryWith(labels)}
}

// opened counts a new connection of the listener l.
func (m *metrics) opened(l *listenerState) {
	l.accepted.Inc()
	l.open.Inc()
}

// closedConn counts a connection of the listener l gone for reason.
func (m *metrics) closedConn(l *listenerState, reason string) {
	l.open.Dec()
	l.closed.WithLabelValues(reason).Inc()
}

func (m *metrics) decided(e Event) {
	injected := "false"
	if e.Injected {
		injected = "true"
	}
	m.decisions.WithLabelValues(e.Category, e.Directive, e.ActorKind, injected).Inc()
	if e.Directive == "Restart" {
		m.restarts.WithLabelValues(e.ActorKind).Inc()
	}
}

func (m *metrics) injected(e Event) {
	cat := e.Category
	if e.Stall != "" {
		cat = "stall"
	}
	m.faults.WithLabelValues(cat, e.ActorKind).Inc()
}

// bytesCollector reports bytes in and out per listener: the connections that
// are gone (summed as they close) plus the live ones' own counters, read at
// scrape time, so the data path adds to nothing shared.
type bytesCollector struct{ h *Hub }

var (
	bytesInDesc = prometheus.NewDesc("async_server_bytes_received_total",
		"Bytes read from clients.", []string{"listener", "behavior"}, nil)
	bytesOutDesc = prometheus.NewDesc("async_server_bytes_sent_total",
		"Bytes written to clients.", []string{"listener", "behavior"}, nil)
)

func (c bytesCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- bytesInDesc
	ch <- bytesOutDesc
}

func (c bytesCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.h
	h.mu.Lock()
	in, out := make(map[string]uint64), make(map[string]uint64)
	behavior := make(map[string]string)
	for l, m := range h.tree.listeners {
		behavior[l] = m.conn.Behavior
		in[l], out[l] = m.lis.gone.In.Load(), m.lis.gone.Out.Load()
	}
	for _, m := range h.tree.conns {
		in[m.conn.Listener] += m.conn.Stats.In.Load()
		out[m.conn.Listener] += m.conn.Stats.Out.Load()
	}
	h.mu.Unlock()
	for l := range behavior {
		ch <- prometheus.MustNewConstMetric(bytesInDesc, prometheus.CounterValue, float64(in[l]), l, behavior[l])
		ch <- prometheus.MustNewConstMetric(bytesOutDesc, prometheus.CounterValue, float64(out[l]), l, behavior[l])
	}
}
