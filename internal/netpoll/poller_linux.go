//go:build linux

package netpoll

import (
	"math"
	"sync"
	"syscall"
	"time"
)

// poller waits for input on the cold connections of every server in the
// process, so that an idle connection holds no goroutine at all (a goroutine
// parked in a read costs its 2 KiB stack and more: issue 9's budget for a
// whole idle connection is 5 KiB). It has an epoll instance of its own beside
// the runtime's: a connection that goes quiet registers its socket (watch);
// when the socket becomes readable the poller hands the reader's role back to
// a runner (serve). The cold connections' read deadlines are a heap (due) that
// sets loop's wait (expire ends those that pass), and shut takes a cold
// connection back (claim). Whichever of the three comes first, under mu, takes
// the role; the others find the connection no longer cold.
//
// Its one goroutine (loop) runs from the first server's Start to the last
// one's end (Acquire, Release), which waits for it to exit.
type Poller struct {
	epfd  int
	wake  [2]int        // a pipe: a byte on wake[1] makes loop look again (at due, stopping)
	done  chan struct{} // closed when loop has exited
	epoch time.Time     // due's times are durations since it: monotonic

	mu       sync.Mutex
	conns    map[int32]*Conn // the cold connections, by socket; guarded by mu, as each link's cold fields
	due      deadlines       // the cold connections' read deadlines, earliest first
	stopping bool
}

// epollCtl is syscall.EpollCtl, but for tests that make epoll refuse a
// socket (ENOSPC at fs.epoll.max_user_watches).
var epollCtl = syscall.EpollCtl

// pollers is the process's poller and how many servers use it.
var pollers struct {
	sync.Mutex
	p     *Poller
	users int
}

// Acquire returns the process's poller, starting it for its first user.
// Each call is matched by a Release. It returns nil when epoll cannot be
// had: connections then read through a held buffer (readHeld).
func Acquire() *Poller {
	pollers.Lock()
	defer pollers.Unlock()
	if pollers.users == 0 {
		pollers.p = newPoller()
	}
	pollers.users++
	return pollers.p
}

// Release ends a user's use of the poller; the last one stops it and
// waits for its goroutine to exit. Every connection has ended by then.
func Release() {
	pollers.Lock()
	defer pollers.Unlock()
	if pollers.users--; pollers.users == 0 && pollers.p != nil {
		pollers.p.stop()
		pollers.p = nil
	}
}

func newPoller() *Poller {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	p := &Poller{epfd: epfd, done: make(chan struct{}), conns: make(map[int32]*Conn), epoch: time.Now()}
	if syscall.Pipe2(p.wake[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC) != nil ||
		syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wake[0],
			&syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(p.wake[0])}) != nil {
		syscall.Close(epfd)
		return nil
	}
	go p.loop()
	return p
}

// stop stops loop, waits for it, and closes the poller's descriptors.
func (p *Poller) stop() {
	p.mu.Lock()
	p.stopping = true
	p.mu.Unlock()
	p.wakeUp()
	<-p.done
	syscall.Close(p.wake[0])
	syscall.Close(p.wake[1])
	syscall.Close(p.epfd)
}

// wakeUp makes loop look again at due and stopping. The pipe is non-blocking:
// when it is full, loop has a wake-up pending already.
func (p *Poller) wakeUp() { _, _ = syscall.Write(p.wake[1], []byte{0}) }

// loop waits for readable sockets and hands each one's connection to a runner,
// and ends the connections whose read deadline passes.
func (p *Poller) loop() {
	defer close(p.done)
	events := make([]syscall.EpollEvent, 256)
	var drain [64]byte
	for {
		n, err := syscall.EpollWait(p.epfd, events, p.waitMillis())
		if err != nil && err != syscall.EINTR {
			return // cannot happen with a valid epoll descriptor
		}
		for _, ev := range events[:max(n, 0)] {
			if ev.Fd == int32(p.wake[0]) {
				for k, _ := syscall.Read(p.wake[0], drain[:]); k > 0; k, _ = syscall.Read(p.wake[0], drain[:]) {
				}
				continue
			}
			if c := p.take(ev.Fd); c != nil {
				Go(c.in.serveFn)
			}
		}
		if p.expire() {
			return
		}
	}
}

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
// The deadline is read after cold is set: a SetReadDeadline either sees
// cold and re-keys the entry (rekey), or is seen here.
func (p *Poller) watch(c *Conn) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.IsShut() { // shut's claim, which comes after isShut is set, found it hot
		return shutHot
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT, Fd: c.in.fd}
	if epollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(c.in.fd), &ev) != nil {
		return refused
	}
	c.in.cold.Store(true)
	p.conns[c.in.fd] = c
	p.key(c)
	return watched
}

// key puts cold c in the deadlines at its read deadline, if it has one; p.mu
// is held.
func (p *Poller) key(c *Conn) {
	if d := c.deadline(); !d.IsZero() && p.due.add(c, d.Sub(p.epoch)) {
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

// take takes back the cold connection on socket fd, if there is one.
func (p *Poller) take(fd int32) *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.conns[fd]
	if c != nil {
		p.forget(c)
	}
	return c
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

// forget ends c's cold spell; p.mu is held.
func (p *Poller) forget(c *Conn) {
	c.in.cold.Store(false)
	delete(p.conns, c.in.fd)
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, int(c.in.fd), nil)
	p.due.remove(c)
}

// maxWait is the longest wait loop asks of epoll_wait, whose timeout is a C
// int of milliseconds (24.8 days): a longer one (an idle timeout of 720h)
// would turn negative, which is "wait forever".
const maxWait = math.MaxInt32

// waitMillis is how long loop may wait for events: until the earliest read
// deadline (rounded up to a millisecond, at most maxWait), or without end (-1).
func (p *Poller) waitMillis() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.due.first()
	if !ok {
		return -1
	}
	wait := at - time.Since(p.epoch)
	return int(min(max(wait+time.Millisecond-1, 0)/time.Millisecond, maxWait))
}

// expire hands every cold connection whose read deadline has passed to a
// runner, which ends it unless input is waiting (a deadline that passed while
// the process was stopped, say: serveHot looks before it closes). It reports
// whether loop must stop.
func (p *Poller) expire() (stop bool) {
	var ended []*Conn
	p.mu.Lock()
	now := time.Since(p.epoch)
	for at, ok := p.due.first(); ok && at <= now; at, ok = p.due.first() {
		c := p.due[0].c
		p.forget(c)
		ended = append(ended, c)
	}
	stop = p.stopping
	p.mu.Unlock()
	for _, c := range ended {
		Go(c.in.serveFn)
	}
	return stop
}
