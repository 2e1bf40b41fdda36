//go:build linux

package netpoll

import "syscall"

// How a connection's socket is registered with the poller's epoll. It is
// registered once, at its first cold spell, and stays for the socket's life
// (the close removes it): each cold spell re-arms it (EPOLL_CTL_MOD of an
// EPOLLONESHOT registration), so a keep-alive connection that pauses between
// requests pays one epoll_ctl per pause, not an ADD and a DEL. The arming is
// done outside the poller's lock, through the socket's RawConn (Control),
// which keeps the descriptor from being closed, and so reused by another
// socket, while epoll_ctl runs.
//
// An event names its connection by a slot in the poller's table and the
// slot's generation, not by descriptor: an event for a socket closed since
// (its slot freed, perhaps given to another connection) names a generation
// no connection has, and is dropped.

// slot is one entry of the poller's table.
type slot struct {
	c   *Conn
	gen uint32
}

// wakeSlot is the wake pipe's slot in events.
const wakeSlot = 0

// What watch did.
const (
	watched = iota // the poller holds the role now
	shutHot        // the connection is shut: the runner ends it
	refused        // epoll refused the socket: the runner keeps the role for good (readHeld)
)

// watch takes the reader's role of c, which has gone quiet, from the runner
// that held it, unless c is shut or epoll refuses its socket (ENOSPC at
// fs.epoll.max_user_watches, say).
//
// c is cold before its socket is armed, so the event that arming may raise at
// once finds it so. Its deadline is read after cold is set: a
// SetReadDeadline either sees cold and re-keys the entry (rekey), or is seen
// here.
func (p *Poller) watch(c *Conn) int {
	p.mu.Lock()
	if c.IsShut() { // Shut's claim, which comes after IsShut is set, found it hot
		p.mu.Unlock()
		return shutHot
	}
	if c.in.slot == 0 {
		p.assign(c)
	}
	c.in.cold.Store(true)
	p.key(c)
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
		Fd: c.in.slot, Pad: int32(p.slots[c.in.slot].gen)}
	p.mu.Unlock()
	if p.arm(c, &ev) == nil {
		return watched // from here on, c may be another's
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !c.in.cold.Load():
		return watched // taken already (expire, Shut): the taker holds the role
	case c.IsShut():
		p.forget(c)
		return shutHot
	}
	p.forget(c)
	return refused
}

// arm registers or re-arms c's socket for one event.
func (p *Poller) arm(c *Conn, ev *syscall.EpollEvent) error {
	var err error
	if cerr := c.raw.Control(func(fd uintptr) {
		err = epollCtl(p.epfd, syscall.EPOLL_CTL_MOD, int(fd), ev)
		if err == syscall.ENOENT { // the first cold spell: not registered yet
			err = epollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(fd), ev)
		}
	}); cerr != nil {
		return cerr // closed (a hard Shut)
	}
	return err
}

// assign gives c a slot in the table, of a new generation; p.mu is held.
func (p *Poller) assign(c *Conn) {
	p.gen++
	s := slot{c: c, gen: p.gen}
	if n := len(p.free); n > 0 {
		c.in.slot = p.free[n-1]
		p.free = p.free[:n-1]
		p.slots[c.in.slot] = s
		return
	}
	c.in.slot = int32(len(p.slots))
	p.slots = append(p.slots, s)
}

// release frees c's slot, if it has one, as its socket is about to close:
// events of its generation that come after are dropped.
func (p *Poller) release(c *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := c.in.slot; i != 0 {
		p.slots[i] = slot{}
		p.free = append(p.free, i)
		c.in.slot = 0
	}
}

// key puts cold c in the deadlines at its read deadline, if it has one; p.mu
// is held.
func (p *Poller) key(c *Conn) {
	if d := c.deadline(); d != 0 && p.due.add(c, d.time().Sub(p.epoch)) {
		p.wakeUp() // the earliest deadline now: loop may be waiting too long
	}
}

// rekey moves c's entry in the deadlines to its read deadline now, if c is
// cold: the behavior set a deadline (or a restart cleared it) while nobody
// reads.
func (p *Poller) rekey(c *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.in.cold.Load() {
		p.due.remove(c)
		p.key(c)
	}
}

// take takes back the cold connection an event names, if it is still cold
// and the event is of its generation.
func (p *Poller) take(i int32, gen uint32) *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i <= 0 || int(i) >= len(p.slots) {
		return nil
	}
	s := p.slots[i]
	if s.c == nil || s.gen != gen || !s.c.in.cold.Load() {
		return nil // a stale event, or one for a connection taken back otherwise
	}
	p.forget(s.c)
	return s.c
}

// claim takes c back if it is cold, and reports whether it did.
func (p *Poller) claim(c *Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !c.in.cold.Load() {
		return false
	}
	p.forget(c)
	return true
}

// forget ends c's cold spell; p.mu is held. Its socket stays registered: if
// it is still armed, the event it may raise finds c not cold.
func (p *Poller) forget(c *Conn) {
	c.in.cold.Store(false)
	p.due.remove(c)
}
