package cluster

import (
	"github.com/prometheus/client_golang/prometheus"
)

// RegisterMetrics registers the node's metrics with reg (the observatory's,
// which /metrics serves). They read the node's view when scraped; a nil Node
// registers none.
func (n *Node) RegisterMetrics(reg prometheus.Registerer) {
	if n == nil || reg == nil {
		return
	}
	v := n.view
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	reg.MustRegister(
		gauge("async_server_cluster_members", "Members of the cluster as this node sees them, itself included.",
			func() float64 { return float64(v.memberCount()) }),
		gauge("async_server_cluster_members_up", "Members this node's link to works, itself included.",
			func() float64 { return float64(v.upCount()) }),
		gauge("async_server_cluster_grains", "Grains hosted on this node now.",
			func() float64 { return float64(len(v.Grains())) }),
		counter("async_server_cluster_activations_total", "Grains activated on this node.",
			func() float64 { return float64(v.activations.Load()) }),
		counter("async_server_cluster_requests_total", "Grain requests this node made (Node.Request).",
			func() float64 { return float64(v.requests.Load()) }),
		counter("async_server_cluster_request_failures_total", "Grain requests that got no answer within -cluster-request-timeout, or failed.",
			func() float64 { return float64(v.failures.Load()) }),
		counter("async_server_cluster_dropped_messages_total", "Messages from other nodes dropped unread: a type this node does not know, or a malformed batch.",
			func() float64 { return float64(v.dropped.Load()) }),
		gauge("async_server_cluster_node_connections", "Connections open to this node's -node-addr (at most cluster.MaxNodeConns).",
			func() float64 { return float64(n.conns.open.Load()) }),
		counter("async_server_cluster_refused_connections_total", "Connections to -node-addr closed at once because cluster.MaxNodeConns were open.",
			func() float64 { return float64(n.conns.refused.Load()) }),
		newWindowCollector(n.windows),
	)
}

// Members returns the members as this node sees them (nil for a nil Node).
func (n *Node) Members() []Member {
	if n == nil {
		return nil
	}
	return n.view.Members()
}

// Grains returns the grains hosted on this node (nil for a nil Node).
func (n *Node) Grains() []Grain {
	if n == nil {
		return nil
	}
	return n.view.Grains()
}

// Info is what /tree shows of the node (the "cluster" field of its root):
// its cluster, its address, how the members are kept, the members as it
// sees them, and the grains it hosts (the first maxTreeGrains by kind and
// identity, and how many there are in all).
type Info struct {
	Name       string   `json:"name"`
	Node       string   `json:"node"`
	Membership string   `json:"membership"` // "static" (-peers) or "etcd"
	Members    []Member `json:"members"`
	Grains     []Grain  `json:"grains"`
	GrainCount int      `json:"grain_count"`
}

// maxTreeGrains bounds the grains one /tree lists: a node may host
// thousands of rooms.
const maxTreeGrains = 1000

// Info returns the node's Info (nil for a nil Node).
func (n *Node) Info() *Info {
	if n == nil {
		return nil
	}
	in := &Info{Name: n.cfg.Name, Node: n.cfg.NodeAddr, Membership: "static", Members: n.view.Members(), Grains: n.view.Grains()}
	if len(n.cfg.Etcd) > 0 {
		in.Membership = "etcd"
	}
	in.GrainCount = len(in.Grains)
	if len(in.Grains) > maxTreeGrains {
		in.Grains = in.Grains[:maxTreeGrains]
	}
	return in
}
