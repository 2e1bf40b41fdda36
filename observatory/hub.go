package observatory

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Hub.
type Options struct {
	Keep   int           // events kept for a late subscriber (Recent); 0: DefaultKeep
	Budget int           // restarts a child may use within Window (the server's intensity)
	Window time.Duration // the intensity window
}

// DefaultKeep is how many events a Hub keeps for late subscribers.
const DefaultKeep = 256

// Hub collects what the actors report. Its methods are safe for concurrent
// use, never block on a reader (a subscriber that falls behind is dropped)
// and, on a nil *Hub, do nothing.
type Hub struct {
	opts    Options
	started time.Time
	metrics *metrics

	mu   sync.Mutex
	seq  uint64
	ring []Event // the last opts.Keep events, oldest at ring[next] once full
	next int
	subs map[*Subscription]struct{}
	tree tree

	// cluster, if set (ShowCluster), says what the tree's root shows of a
	// clustered node: its members and grains. Read under mu, called outside it.
	cluster func() any
}

// ShowCluster has the tree's root carry what info returns (a clustered
// node's members and grains: cluster.Node.Info) as its "cluster" field.
// info is called for every tree, outside the hub's lock.
func (h *Hub) ShowCluster(info func() any) {
	h.mu.Lock()
	h.cluster = info
	h.mu.Unlock()
}

// New returns a Hub with its own Prometheus registry.
func New(opts Options) *Hub {
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	h := &Hub{opts: opts, started: time.Now(), subs: make(map[*Subscription]struct{})}
	h.tree.init()
	h.metrics = newMetrics(h)
	return h
}

// Registry is the Prometheus registry of the hub's metrics, Go's runtime and
// the process: what /metrics serves.
func (h *Hub) Registry() *prometheus.Registry { return h.metrics.reg }

// Stats are the counters a connection keeps itself; the reader and the
// connection's writes add to them, and the Hub reads them.
type Stats struct {
	In, Out atomic.Uint64
}

// publish stamps e and hands it to the ring and every subscriber. Call with
// h.mu held.
func (h *Hub) publish(e Event) Event {
	h.seq++
	e.Seq = h.seq
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if len(h.ring) < h.opts.Keep {
		h.ring = append(h.ring, e)
	} else {
		h.ring[h.next] = e
		h.next = (h.next + 1) % h.opts.Keep
	}
	for s := range h.subs {
		select {
		case s.ch <- e:
		default: // it fell behind: drop it rather than wait or lose events silently
			delete(h.subs, s)
			s.Lagged = true
			close(s.ch)
		}
	}
	return e
}

// LastSeq is the seq of the last event published (0: none yet): every event
// published from now on has a greater one.
func (h *Hub) LastSeq() uint64 {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// Subscribers is how many subscriptions are live: not closed, nor dropped
// for falling behind.
func (h *Hub) Subscribers() int {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Recent returns the kept events after seq (0: all kept), oldest first.
func (h *Hub) Recent(after uint64) []Event {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recent(after)
}

func (h *Hub) recent(after uint64) []Event {
	out := make([]Event, 0, len(h.ring))
	for i := range h.ring {
		if e := h.ring[(h.next+i)%len(h.ring)]; e.Seq > after {
			out = append(out, e)
		}
	}
	return out
}

// Subscription is a live feed of events.
type Subscription struct {
	// C gets every event published after Subscribe. It is closed by Close, or
	// when the subscriber fell more than its buffer behind (Lagged is then set:
	// read it after C is closed).
	C      <-chan Event
	Lagged bool

	ch  chan Event
	hub *Hub
}

// Subscribe returns a feed of events, with room for buffer of them, and the
// kept events after seq, so a reconnecting client misses nothing the hub
// still has. A seq past the last event published is not this hub's (a
// browser's Last-Event-ID from before the server restarted, its count
// begun again at 1): such a client gets every kept event, as a new one does.
func (h *Hub) Subscribe(after uint64, buffer int) (*Subscription, []Event) {
	ch := make(chan Event, buffer)
	s := &Subscription{C: ch, ch: ch, hub: h}
	if h == nil {
		close(ch) // nothing will come: a reader ranging over C ends at once
		return s, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs[s] = struct{}{}
	if after > h.seq {
		after = 0
	}
	return s, h.recent(after)
}

// Close ends the subscription; calling it again does nothing.
func (s *Subscription) Close() {
	if s.hub == nil {
		return
	}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	if _, ok := s.hub.subs[s]; ok {
		delete(s.hub.subs, s)
		close(s.ch)
	}
}
