//go:build linux

package netpoll

import (
	"math"
	"sync"
	"syscall"
	"time"
)

// Poller waits for input on the cold connections of every server in the
// process, so that an idle connection holds no goroutine at all (a goroutine
// parked in a read costs its 2 KiB stack and more). It has an epoll instance
// of its own beside the runtime's: a connection that goes quiet arms its
// socket (watch, watch_linux.go); when the socket becomes readable the poller
// hands the reader's role back to a runner (serve). The cold connections'
// read deadlines are a heap (due) that sets loop's wait (expire hands those
// that pass to a runner), and Shut takes a cold connection back (claim).
// Whichever of the three comes first, under mu, takes the role; the others
// find the connection no longer cold.
//
// Its one goroutine (loop) runs from the first server's Start to the last
// one's end (Acquire, Release), which waits for it to exit.
type Poller struct {
	epfd  int
	wake  [2]int        // a pipe: a byte on wake[1] makes loop look again (at due, stopping)
	done  chan struct{} // closed when loop has exited
	epoch time.Time     // due's times are durations since it: monotonic

	mu       sync.Mutex
	slots    []slot    // the connections registered with epoll, by the slot in their events; [0] is the wake pipe's
	free     []int32   // slots free for reuse
	gen      uint32    // the last generation given to a slot
	due      deadlines // the cold connections' read deadlines, earliest first
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
	p := &Poller{epfd: epfd, done: make(chan struct{}), slots: make([]slot, 1), epoch: time.Now()}
	if syscall.Pipe2(p.wake[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC) != nil ||
		syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wake[0],
			&syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeSlot}) != nil {
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
			if ev.Fd == wakeSlot {
				for k, _ := syscall.Read(p.wake[0], drain[:]); k > 0; k, _ = syscall.Read(p.wake[0], drain[:]) {
				}
				continue
			}
			if c := p.take(ev.Fd, uint32(ev.Pad)); c != nil {
				Go(c.in.serveFn)
			}
		}
		if p.expire() {
			return
		}
	}
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
