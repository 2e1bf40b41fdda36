package netpoll

import (
	"errors"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// The reader's role: how it begins, serves hot, goes cold, and hands input
// to the owner (package doc).

const (
	// readBufferSize is the most one DataReceived carries. 16 KiB takes a typical
	// request or a pipelined batch in one read; the buffer is pooled, held only
	// from the read that fills it to the ack of its DataReceived.
	readBufferSize = 16 << 10

	// MaxDelivery is the most input one Handler.Data carries, on either reader
	// (a TLS connection's reads are of the same size).
	MaxDelivery = readBufferSize

	// lingerTimeout bounds how long a gracefully closed connection keeps reading
	// (and discarding) after it sent its FIN: closing a socket with unread input
	// makes the kernel send RST, which can destroy the last reply in flight. 500 ms
	// is net/http's choice for the same problem.
	lingerTimeout = 500 * time.Millisecond

	// drainGrace and lingerMax extend a drain whose deadline passed while input
	// was still there to read (Discard).
	drainGrace = 5 * time.Millisecond
	lingerMax  = 4 * lingerTimeout

	// handshakeTimeout bounds a TLS handshake: a client that does not finish it in
	// this long is closed, so it cannot hold a slot without sending a request.
	handshakeTimeout = 10 * time.Second
)

// hotFor is how long a reader that has just delivered input waits for more on
// its runner before it goes cold, once its connection has shown it is busy
// (busyReads reads): far longer than the gaps of a busy client, so that one
// seldom pays the hand-off (with 5 ms, 100 echo connections on two cores made
// 8% fewer round trips). A connection that has not, newly accepted, waits
// only hotForNew: a burst of new connections that each make a request and
// then idle holds few runners and their stacks at once (with 20 ms for all,
// 5 000 such http connections cost 0.5 KiB more each). Variables only for
// tests, which set them before a server starts.
var (
	hotFor    = 20 * time.Millisecond
	hotForNew = 2 * time.Millisecond
)

// busyReads is how many reads make a connection busy (hotFor).
const busyReads = 16

// readBuffers pools the readers' buffers (*[]byte of readBufferSize); take and
// return them with getReadBuffer and putReadBuffer.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, readBufferSize); return &b }}

// Test hooks, nil outside tests (set before a server starts, cleared after it
// is done): testHookBuffers sees every read buffer taken (+1) and returned (-1),
// testHookCooled every reader that goes cold, testHookRead every read of a
// hot reader's socket, testHookBusy every busy reader about to deliver.
var (
	testHookBuffers func(delta int)
	testHookCooled  func()
	testHookRead    func()
	testHookBusy    func(*Conn)
)

func getReadBuffer() *[]byte {
	if testHookBuffers != nil {
		testHookBuffers(+1)
	}
	return readBuffers.Get().(*[]byte)
}

func putReadBuffer(b *[]byte) {
	if testHookBuffers != nil {
		testHookBuffers(-1)
	}
	readBuffers.Put(b)
}

// input is the reader's state, touched only by the goroutine that holds the
// reader's role.
type input struct {
	serveFn func()             // serve, made once: what the poller hands a runner
	poll    *Poller            // Options.Poller
	readFn  func(uintptr) bool // readSocket, made once
	rerr    error              // readSocket's error
	buf     *[]byte            // the hot reader's buffer, from the pool: held from a read to its ack
	armed   stamp              // the read deadline on the socket; 0: none
	// The small fields are packed so that a link (its Conn inside) stays
	// within 696 bytes: with the 8-byte header of the heap object it is in
	// the runtime's 704-byte size class, not the 768-byte one.
	n       int16  // readSocket's result: at most readBufferSize, or -1
	reads   uint16 // reads delivered, up to busyReads
	swept   bool   // in the sweeper's set (sweep.go): the reader's own view of it
	got     uint8  // why readSocket's raw read ended: gotRead, gotHeld or gotShut
	dropped uint16 // bytes of the one read not delivered, the connection found shut: drain counts them

	// Written under poll.mu, by the poller and Shut; cold is read without it
	// by SetReadDeadline, to re-key a cold connection's deadline.
	cold atomic.Bool // the poller holds the role
	due  int32       // the index in the poller's deadlines; -1: not in them
	slot int32       // the connection's slot in the poller's table; 0: none (watch_linux.go)

	sweptAt int32 // the index in the sweeper's set, while in it; guarded by sweeper.mu
}

// A read's result fits input's int16 and uint16 fields.
var _ [math.MaxInt16 - readBufferSize]struct{}

// begin starts the reader, on the runner that ran the actor's Started, once
// that run is over (dispatch.go): this runner serves hot at once, so the first
// input costs no hand-off. The reader's last act is to close the socket and
// call Handler.Closed.
func (c *Conn) begin() {
	if c.raw == nil {
		go c.read()
		return
	}
	c.in.serveFn = c.serve
	c.since.Store(int64(now()))
	c.serve()
}

// read is the reader of a connection the poller cannot watch (TLS): one goroutine
// for the connection's life. It runs the handshake first, on this goroutine and
// never on the acceptor's, so a slow client stalls nothing but its own
// connection.
func (c *Conn) read() {
	if err := c.secure(); err != nil {
		c.end(err)
		return
	}
	c.since.Store(int64(now()))
	c.readHeld()
}

// errCooled is serveHot's report that the connection went quiet, and
// errParked that its input waits and the reader has parked (awaitAck).
// errHeld and errShutRead are readHot's, for a busy connection whose read
// delivered (readBusy): the actor holds the ack of that delivery back, or
// the connection was shut during it.
var (
	errCooled   = errors.New("reader cooled")
	errParked   = errors.New("reader parked")
	errHeld     = errors.New("ack held back")
	errShutRead = errors.New("shut in a delivery")
)

// Why a hot read ended (input.got).
const (
	gotRead uint8 = iota // a read's result, in input.n and input.rerr
	gotHeld              // a delivery's ack is held back (errHeld)
	gotShut              // the connection was shut in a delivery (errShutRead)
)

// serve is the hot reader, on a runner: it delivers what follows until the
// connection has been quiet for hotFor, and then gives the role to the poller,
// or until it ends: then it ends it (end). A reader whose input must wait
// parks: it returns, and its Ack resumes it on a runner (resume).
func (c *Conn) serve() {
	for {
		err := c.serveHot()
		if err == errParked {
			return // out of the sweeper's set already (awaitAck): the role is the Ack's now, c.in is not ours
		}
		c.unsweep() // the spell is over
		c.dropBuffer()
		if err != errCooled {
			c.end(err)
			return
		}
		switch c.in.poll.watch(c) {
		case watched:
			return // the poller holds the role now
		case refused:
			// A blocking reader on this runner for the connection's life, as
			// a TLS connection's: asking epoll again at every spell's end
			// would cost a runner's wake-up every few milliseconds.
			c.readHeld()
			return
		}
		// shut: serveHot returns at once
	}
}

// resume is a parked reader's return, on the runner its Ack started: the
// next input is awaited from now.
func (c *Conn) resume() {
	c.since.Store(int64(now()))
	c.serve()
}

// dropBuffer puts the hot reader's buffer back in the pool: the actor has
// acked all it was given of it (when it may not have, hand dropped it
// already).
func (c *Conn) dropBuffer() {
	if c.in.buf != nil {
		putReadBuffer(c.in.buf)
		c.in.buf = nil
	}
}

// serveHot is serve's loop. It returns errCooled, errParked, the read's
// error, or nil once the connection is shut; serve then takes the reader
// out of the sweeper's set (but a parked one, which left it as it parked).
// The idle deadline moves only when input has come: a spell that ends
// without any (the poller refused the socket, say, and the role stays hot)
// leaves it where it was, so the idle timeout still ends a silent
// connection.
func (c *Conn) serveHot() error {
	t := now()
	for {
		if c.in.reads >= busyReads && !c.in.swept {
			c.sweep()
		}
		c.armHot(t)
		if c.IsShut() {
			return nil
		}
		n, err := c.readHot()
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && !c.IsShut() {
			switch cooled, lapsed := c.expired(); {
			case lapsed:
				n, err = c.look(err)
			case cooled:
				if testHookCooled != nil {
					testHookCooled()
				}
				return errCooled
			default: // the sweeper's wake-up as input came: read on
				continue
			}
		}
		var r int
		switch err {
		case nil:
			c.in.reads = min(c.in.reads+1, busyReads)
			r = c.deliverData((*c.in.buf)[:n], true)
		case errHeld:
			r = c.settle(true)
		case errShutRead:
			r = shut
		default:
			return err
		}
		switch r {
		case shut:
			c.in.buf = nil // the actor may still hold it; left to the GC
			return nil
		case parked:
			return errParked
		}
		t = now()
		c.since.Store(int64(t))
	}
}

// expired reports what a hot reader's read deadline passing means: the
// spell has ended (cooled), the input's own deadline has passed (lapsed), or
// neither (the sweeper woke the reader as input came). The sweeper may have
// set the socket's deadline, so it is set again before the next read.
func (c *Conn) expired() (cooled, lapsed bool) {
	c.in.armed = unknown
	t := now()
	if d := c.deadline(); d != 0 && t >= d {
		return false, true
	}
	return !c.in.swept || t >= stamp(c.since.Load())+stamp(hotFor), false
}

// readHeld is the reader of a connection read through its net.Conn (TLS, or
// a socket epoll refused): one goroutine with one buffer, for the
// connection's life.
func (c *Conn) readHeld() {
	buf := make([]byte, readBufferSize) // after the handshake: a stalled one holds none
	for {
		c.arm(c.deadline(), now())
		if c.IsShut() {
			break
		}
		n, err := c.conn.Read(buf)
		if n == 0 && err != nil && c.raw != nil && c.lapsed(err) { // not TLS: its records may hide input
			n, err = c.lookInto(buf, err)
		}
		if n > 0 && c.deliverData(buf[:n], false) == shut {
			break
		}
		switch {
		case err == nil:
			c.since.Store(int64(now()))
		case c.moved(err):
			c.in.armed = unknown // woken (SuspendIdleTimeout): the socket's deadline is not what armed says
		default:
			c.end(err)
			return
		}
	}
	c.end(nil)
}

// What deliverData did.
const (
	acked  = iota // the actor has acked: read on
	shut          // the connection is shut: nothing, or no ack, delivered
	parked        // the actor holds the ack back and the reader has parked (awaitAck)
)

// deliverData sends data to the actor and waits for its ack, or parks if
// park and the actor holds the ack back (awaitAck).
func (c *Conn) deliverData(data []byte, park bool) int {
	if c.IsShut() {
		c.in.dropped = uint16(len(data)) // the one: the reader stops here
		return shut
	}
	c.disp.wake()
	c.h.Data(data)
	c.disp.sleep()
	return c.settle(park)
}

// settle waits for the ack of a delivery, or parks if park and the actor
// holds it back (awaitAck), and says what deliverData did.
func (c *Conn) settle(park bool) int {
	if !c.awaitAck(park) { // almost always given: the delivery ran the actor on this goroutine
		return parked
	}
	if c.IsShut() {
		return shut
	}
	return acked
}
