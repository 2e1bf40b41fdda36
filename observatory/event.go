// Package observatory is what a running server tells about itself: a stream of
// events (connections accepted and stopped, supervision decisions, injected
// faults), a model of the live actor tree built from those events, and
// Prometheus metrics. The actors report to a Hub; the admin endpoint, the
// -chaos monkey and the test kit read it. Nothing here reads an actor's state:
// the Hub knows only what it was told and the counters a connection keeps
// (bytes in and out), so looking never slows or blocks the data path.
//
// A nil *Hub is valid and does nothing: a server without -admin pays for no
// bookkeeping.
package observatory

import "time"

// Kind is what an Event reports.
type Kind string

// The kinds of event.
const (
	Accepted Kind = "accepted" // a connection actor was spawned for a new connection
	Decision Kind = "decision" // a supervisor decided about a failed child
	Stopped  Kind = "stopped"  // a connection actor is gone; Reason says why
	Injected Kind = "injected" // a fault was sent to Actor (admin, -chaos, test kit)
)

// The kinds of actor an Event or a Node names.
const (
	KindRoot       = "root"
	KindLogger     = "logger"
	KindServices   = "services" // the services supervisor
	KindService    = "service"
	KindAcceptor   = "acceptor"
	KindConns      = "connections" // a listener's connection supervisor
	KindConnection = "connection"
	KindGrain      = "grain" // a cluster grain this node hosts (a fault's target only)
)

// Event is one thing that happened in the tree. Fields that do not apply to
// its Kind are empty.
type Event struct {
	Seq       uint64    `json:"seq"` // 1, 2, ... in publication order
	Time      time.Time `json:"time"`
	Kind      Kind      `json:"kind"`
	Actor     string    `json:"actor"`      // conn-3, rooms, acceptor-127.0.0.1:7878, logger
	ActorKind string    `json:"actor_kind"` // one of the Kind* constants
	Listener  string    `json:"listener,omitempty"`
	Behavior  string    `json:"behavior,omitempty"`
	Remote    string    `json:"remote,omitempty"`

	// Decision, and Injected (the fault sent).
	Category  string `json:"category,omitempty"`
	Directive string `json:"directive,omitempty"` // Restart or Stop
	Restarts  int    `json:"restarts,omitempty"`  // restarts used within the window, this one included
	Budget    int    `json:"budget,omitempty"`    // restarts allowed within the window
	Cause     string `json:"cause,omitempty"`
	Injected  bool   `json:"injected,omitempty"` // the failure was injected, not real
	Stall     string `json:"stall,omitempty"`    // Injected: a stall of this long instead of a failure

	// Stopped: why the connection ended, and what it carried.
	Reason   string `json:"reason,omitempty"`
	BytesIn  uint64 `json:"bytes_in,omitempty"`
	BytesOut uint64 `json:"bytes_out,omitempty"`
}
