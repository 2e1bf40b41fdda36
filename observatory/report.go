package observatory

import (
	"time"
)

// This file is what the actors report. Every method is safe on a nil *Hub.

// Logger reports the logger actor, by name.
func (h *Hub) Logger(name string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tree.logger = h.tree.other(KindLogger, name)
}

// Service reports a service actor, by name (a restarted services supervisor
// reports its services again: a name is kept once).
func (h *Hub) Service(name string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.tree.other(KindService, name)
	for _, s := range h.tree.services {
		if s == m {
			return
		}
	}
	h.tree.services = append(h.tree.services, m)
}

// Listening reports a listener's two actors, by name: its acceptor and its
// connection supervisor (conns), with its address and behavior.
func (h *Hub) Listening(acceptor, conns, listener, behavior string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.tree.other(KindAcceptor, acceptor)
	if m.conn.Listener == "" {
		m.conn = Conn{ID: acceptor, Listener: listener, Behavior: behavior}
		m.lis = h.metrics.listener(listener, behavior)
		m.sup = h.tree.other(KindConns, conns)
		m.sup.conn = Conn{ID: conns, Listener: listener, Behavior: behavior}
		h.tree.acceptors = append(h.tree.acceptors, m)
		h.tree.listeners[listener] = m
	}
}

// Opened reports a connection whose actor was just spawned.
func (h *Hub) Opened(c Conn) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := &member{conn: c, num: connNumber(c.ID), kind: KindConnection, name: c.ID, since: time.Now()}
	h.tree.addConn(m)
	h.metrics.opened(h.listenerOf(c))
	h.publish(Event{Kind: Accepted, Actor: c.ID, ActorKind: KindConnection, Listener: c.Listener,
		Behavior: c.Behavior, Remote: c.Remote})
}

// listenerOf returns the state of c's listener, kept on its acceptor's
// member; for a listener never reported (Listening), a state of its own,
// whose byte tally is not kept. Call with h.mu held.
func (h *Hub) listenerOf(c Conn) *listenerState {
	if a := h.tree.listeners[c.Listener]; a != nil {
		return a.lis
	}
	return h.metrics.listener(c.Listener, c.Behavior)
}

// Closed reports a connection actor that has stopped, and why.
func (h *Hub) Closed(id, reason string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m, ok := h.tree.conns[id]
	if !ok {
		return
	}
	h.tree.removeConn(m)
	c := m.conn
	in, out := c.Stats.In.Load(), c.Stats.Out.Load()
	l := h.listenerOf(c)
	l.gone.In.Add(in)
	l.gone.Out.Add(out)
	h.metrics.closedConn(l, reason)
	h.publish(Event{Kind: Stopped, Actor: id, ActorKind: KindConnection, Listener: c.Listener,
		Behavior: c.Behavior, Remote: c.Remote, Reason: reason, BytesIn: in, BytesOut: out})
}

// Decided reports a supervision decision. e names the child (Actor, and
// ActorKind) and carries the decision's fields; the hub adds the child's
// listener, behavior and remote address when it knows them.
func (h *Hub) Decided(e Event) {
	if h == nil {
		return
	}
	e.Kind = Decision
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	m := h.tree.find(e.Actor)
	if m == nil {
		m = h.tree.supervisor(e.Actor)
	}
	if m != nil {
		e.Listener, e.Behavior, e.Remote = m.conn.Listener, m.conn.Behavior, m.conn.Remote
		if e.Directive == "Restart" {
			m.inWindow(h.opts.Window, now)
			m.restarts = append(m.restarts, now)
		} else {
			m.restarts, m.stopped = nil, true
		}
	}
	h.metrics.decided(e)
	e = h.publish(e)
	if m != nil {
		m.last = &e
	}
}

// Injected reports a fault sent to an actor: e names it (Actor, ActorKind)
// and the fault (Category or Stall). It returns the event as published.
func (h *Hub) Injected(e Event) Event {
	if h == nil {
		return e
	}
	e.Kind, e.Injected = Injected, true
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.tree.find(e.Actor); m != nil {
		e.Listener, e.Behavior, e.Remote = m.conn.Listener, m.conn.Behavior, m.conn.Remote
	}
	h.metrics.injected(e)
	return h.publish(e)
}

// Rejected reports a client turned away at the connection limit.
func (h *Hub) Rejected(listener, behavior string) {
	if h == nil {
		return
	}
	h.metrics.rejected.WithLabelValues(listener, behavior).Inc()
}

// LogWritten reports an entry the logger wrote.
func (h *Hub) LogWritten() {
	if h != nil {
		h.metrics.logEntries.Inc()
	}
}

// DeadLetter reports a message sent to an actor that was gone.
func (h *Hub) DeadLetter() {
	if h != nil {
		h.metrics.deadLetters.Inc()
	}
}

// ShutdownTook reports how long the graceful shutdown took, up to its report.
func (h *Hub) ShutdownTook(d time.Duration) {
	if h != nil {
		h.metrics.shutdown.Set(d.Seconds())
	}
}

// Find returns the actor a target names: a connection by ID ("conn-3") or
// remote address, or a service, acceptor (by name or listener address) or the
// logger by name. "random" picks a live connection. kind is one of the Kind*
// constants; ok is false when nothing matches.
func (h *Hub) Find(target string) (name, kind string, c Conn, ok bool) {
	if h == nil {
		return "", "", Conn{}, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var m *member
	if target == "random" {
		m = h.tree.randomConn()
	} else {
		m = h.tree.find(target)
	}
	if m == nil {
		return "", "", Conn{}, false
	}
	return m.name, m.kind, m.conn, true
}
