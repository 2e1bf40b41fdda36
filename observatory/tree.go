package observatory

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"async_server/supervision"
)

// Node is one actor in a Tree snapshot.
type Node struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Listener string `json:"listener,omitempty"`
	Behavior string `json:"behavior,omitempty"`
	Remote   string `json:"remote,omitempty"`
	AgeMS    int64  `json:"age_ms"`
	BytesIn  uint64 `json:"bytes_in,omitempty"`
	BytesOut uint64 `json:"bytes_out,omitempty"`
	// Restarts used within the intensity window now, of Budget.
	Restarts int `json:"restarts"`
	Budget   int `json:"budget"`
	// Stopped marks an actor its supervisor has stopped for good
	// (LastDecision says why): a service, the logger or an acceptor stays
	// listed, marked so; it takes no faults and does not come back.
	Stopped bool `json:"stopped,omitempty"`
	// Connections is a connection supervisor's live connections, all of
	// them, whether or not Children lists each (TreeUpTo).
	Connections  int     `json:"connections,omitempty"`
	LastDecision *Event  `json:"last_decision,omitempty"`
	Children     []*Node `json:"children,omitempty"`
	// Cluster is root's only, on a clustered node (Hub.ShowCluster): the
	// members as this node sees them and the grains it hosts. protoactor's
	// cluster actors are not root's children, so they are not in Children.
	Cluster any `json:"cluster,omitempty"`
}

// MarshalJSON leaves root's restarts and budget out: root is never restarted
// (its own supervisor stops it), and "budget": 0 would read as "cannot
// restart" where there is nothing to restart. Every other node has both.
func (n Node) MarshalJSON() ([]byte, error) {
	type plain Node // Node's fields without this method
	if n.Kind != KindRoot {
		return json.Marshal(plain(n))
	}
	return json.Marshal(struct {
		plain
		Restarts *int `json:"restarts,omitempty"` // shadow plain's: nil, so left out
		Budget   *int `json:"budget,omitempty"`
	}{plain: plain(n)})
}

// Conn is what the hub knows of a live connection: enough to name it and to
// address it (Listener tells its connection supervisor; ID its name there).
type Conn struct {
	ID       string
	Listener string
	Behavior string
	Remote   string
	Stats    *Stats
}

// member is one actor of the model.
type member struct {
	conn     Conn // a connection's; an acceptor's or a connection supervisor's Listener and Behavior
	num      int  // N of a connection's conn-N, for ordering
	at       int  // a connection's index in tree.live
	kind     string
	name     string
	since    time.Time
	restarts []time.Time // restarts within the window, oldest first
	last     *Event
	stopped  bool           // a Stop decision was made about it
	lis      *listenerState // an acceptor's
	sup      *member        // an acceptor's: its listener's connection supervisor
}

// tree is the model of the live actor tree the hub builds from reports.
type tree struct {
	logger    *member
	services  []*member
	acceptors []*member          // in the order they were reported
	conns     map[string]*member // by connection ID (unique in a server)
	live      []*member          // the same connections, for a random pick in O(1) (-chaos)
	byRemote  map[string]*member // by remote address
	others    map[string]*member // logger, services, acceptors, connection supervisors: by kind/name
	listeners map[string]*member // acceptors by listener address
}

func (t *tree) init() {
	t.conns = make(map[string]*member)
	t.byRemote = make(map[string]*member)
	t.others = make(map[string]*member)
	t.listeners = make(map[string]*member)
}

// other returns the member of a non-connection actor, adding it if new.
func (t *tree) other(kind, name string) *member {
	key := kind + "/" + name
	m, ok := t.others[key]
	if !ok {
		m = &member{kind: kind, name: name, since: time.Now()}
		t.others[key] = m
	}
	return m
}

// find returns the member an Event or a target names: a connection by ID or
// remote address, else another actor by name; never a connection supervisor,
// which takes no injected faults (supervisor finds those).
func (t *tree) find(name string) *member {
	if m, ok := t.conns[name]; ok {
		return m
	}
	if m, ok := t.byRemote[name]; ok {
		return m
	}
	if t.logger != nil && name == t.logger.name {
		return t.logger
	}
	for _, m := range t.services {
		if m.name == name {
			return m
		}
	}
	for _, m := range t.acceptors {
		if m.name == name || m.conn.Listener == name {
			return m
		}
	}
	return nil
}

// supervisor returns the connection supervisor named name, or nil.
func (t *tree) supervisor(name string) *member {
	for _, m := range t.acceptors {
		if m.sup.name == name {
			return m.sup
		}
	}
	return nil
}

// randomConn returns a live connection picked uniformly, or nil.
func (t *tree) randomConn() *member {
	if len(t.live) == 0 {
		return nil
	}
	return t.live[rand.IntN(len(t.live))]
}

// addConn adds a connection to the model.
func (t *tree) addConn(m *member) {
	t.conns[m.name] = m
	t.byRemote[m.conn.Remote] = m
	m.at = len(t.live)
	t.live = append(t.live, m)
}

// removeConn removes a connection from the model (the last of live takes its
// place there).
func (t *tree) removeConn(m *member) {
	delete(t.conns, m.name)
	if t.byRemote[m.conn.Remote] == m {
		delete(t.byRemote, m.conn.Remote)
	}
	last := t.live[len(t.live)-1]
	t.live[m.at], last.at = last, m.at
	t.live[len(t.live)-1] = nil
	t.live = t.live[:len(t.live)-1]
}

// inWindow drops restarts older than window at now, and returns how many are left.
func (m *member) inWindow(window time.Duration, now time.Time) int {
	m.restarts = supervision.InWindow(m.restarts, window, now)
	return len(m.restarts)
}

// Tree returns a snapshot of the live actor tree: root, its logger, the
// services supervisor and its services, and per listener its acceptor and
// beside it its connection supervisor, with its connections in the order they
// were accepted (actors/doc.go's tree).
func (h *Hub) Tree() *Node { return h.TreeUpTo(0) }

// TreeUpTo is Tree with at most perListener connections listed under each
// connection supervisor (the oldest; 0: all), for a viewer that shows no
// more: with tens of thousands of connections a whole tree is megabytes of
// JSON.
func (h *Hub) TreeUpTo(perListener int) *Node {
	root := &Node{Name: "root", Kind: KindRoot}
	if h == nil {
		return root
	}
	h.mu.Lock()
	info := h.cluster
	h.mu.Unlock()
	if info != nil {
		root.Cluster = info()
	}
	listed, counts := h.connsToList(perListener)
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	root.AgeMS = now.Sub(h.started).Milliseconds()
	if h.tree.logger != nil {
		root.Children = append(root.Children, h.node(h.tree.logger, now))
	}
	services := &Node{Name: "services", Kind: KindServices, AgeMS: root.AgeMS, Budget: h.opts.Budget}
	for _, m := range h.tree.services {
		services.Children = append(services.Children, h.node(m, now))
	}
	root.Children = append(root.Children, services)
	for _, m := range h.tree.acceptors {
		sup := h.node(m.sup, now)
		sup.Connections = counts[m.conn.Listener]
		for _, c := range listed[m.conn.Listener] {
			if h.tree.conns[c.name] == c { // not closed meanwhile
				sup.Children = append(sup.Children, h.node(c, now))
			}
		}
		root.Children = append(root.Children, h.node(m, now), sup)
	}
	return root
}

// connsToList returns the connections a tree lists under each listener (the
// oldest perListener; 0: all), oldest first, and how many each has. Only
// their gathering holds the hub's lock, not their ordering: the connection
// supervisors report every close under it (Closed), and a tree of 12 000
// connections held it 4.5 ms where this holds it for a walk of the map.
func (h *Hub) connsToList(perListener int) (map[string][]*member, map[string]int) {
	h.mu.Lock()
	byListener := make(map[string][]*member, len(h.tree.acceptors))
	for _, m := range h.tree.conns {
		byListener[m.conn.Listener] = append(byListener[m.conn.Listener], m)
	}
	h.mu.Unlock()
	counts := make(map[string]int, len(byListener))
	for l, conns := range byListener {
		counts[l] = len(conns)
		slices.SortFunc(conns, func(a, b *member) int { return a.num - b.num }) // num is set once, at Opened
		if perListener > 0 && len(conns) > perListener {
			byListener[l] = conns[:perListener]
		}
	}
	return byListener, counts
}

// node renders one member. Call with h.mu held.
func (h *Hub) node(m *member, now time.Time) *Node {
	n := &Node{Name: m.name, Kind: m.kind, Listener: m.conn.Listener, Behavior: m.conn.Behavior,
		Remote: m.conn.Remote, AgeMS: now.Sub(m.since).Milliseconds(),
		Restarts: m.inWindow(h.opts.Window, now), Budget: h.opts.Budget, LastDecision: m.last, Stopped: m.stopped}
	if s := m.conn.Stats; s != nil {
		n.BytesIn, n.BytesOut = s.In.Load(), s.Out.Load()
	}
	return n
}

// connNumber is N of "conn-N", for ordering.
func connNumber(name string) int {
	n, _ := strconv.Atoi(name[strings.LastIndexByte(name, '-')+1:])
	return n
}
