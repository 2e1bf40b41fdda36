//go:build linux

package netpoll

import (
	"io"
	"net"
	"os"
	"syscall"
)

// socket returns the RawConn of conn's socket, if it has one a poller can
// watch (a TLS conn has none: its input goes through crypto/tls, which may
// hold records the socket no longer shows). The poller reaches the descriptor
// only through it (Control), which keeps it from being closed meanwhile.
func socket(conn net.Conn) (syscall.RawConn, bool) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	if err != nil || rc.Control(func(uintptr) {}) != nil {
		return nil, false
	}
	return rc, true
}

// readHot is the hot reader's read: it waits for input in the runtime's
// netpoller, under the socket's read deadline as a Read would, but takes its
// buffer from the pool only once there is something to read, and gives it
// back while it waits. So a hot reader waiting out its spell holds no buffer:
// only a read in progress, or a DataReceived not yet acked, does. A busy
// connection (busyReads reads) keeps its buffer through its spell, as the
// reader did before it waited this way: with a buffer back to the pool at
// every wait, BenchmarkHTTP with 100 connections measured 1.00 of net/http
// against 1.05 before (4 runs each); keeping it, 1.00 against 1.01.
//
// A busy connection's read also delivers (readBusy): it returns only when
// the read must: the socket's deadline, an error or EOF (a Read's), the
// actor holding its ack back (errHeld), or the connection shut after a
// delivery (errShutRead).
//
// Its errors are a Read's: io.EOF at the peer's FIN, and *net.OpError
// otherwise (deadline, closed, reset).
func (c *Conn) readHot() (int, error) {
	if c.in.readFn == nil {
		c.in.readFn = c.readSocket // made once: a method value passed on costs an allocation
	}
	c.in.got = gotRead
	err := c.raw.Read(c.in.readFn)
	n, rerr := int(c.in.n), c.in.rerr
	switch {
	case err != nil: // the deadline, or the socket closed
		if oe, ok := err.(*net.OpError); ok {
			oe.Op = "read" // not "raw-read": it is the connection's read
		}
		return 0, err
	case c.in.got == gotHeld:
		return 0, errHeld
	case c.in.got == gotShut:
		return 0, errShutRead
	case rerr != nil:
		return 0, c.readError(os.NewSyscallError("read", rerr))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readError is err as the connection's Read would have returned it.
func (c *Conn) readError(err error) error {
	return &net.OpError{Op: "read", Net: "tcp", Source: c.conn.LocalAddr(), Addr: c.conn.RemoteAddr(), Err: err}
}

// readSocket is readHot's callback, with a buffer taken for it: it reports
// false when there is nothing to read yet (a connection that is not busy
// returns its buffer first), and true with the read's result in c.in.n and
// c.in.rerr otherwise. A busy connection's reads are delivered here
// (readBusy) and end only as readHot says.
func (c *Conn) readSocket(fd uintptr) bool {
	if c.in.buf == nil {
		c.in.buf = getReadBuffer()
	}
	for {
		n, err := readFD(fd, *c.in.buf)
		c.in.n, c.in.rerr = int16(n), err
		switch {
		case err == syscall.EAGAIN:
			if c.in.reads < busyReads {
				c.dropBuffer() // wait for input holding nothing
			}
			return false
		case err != nil || n == 0 || c.in.reads < busyReads:
			return true
		}
		if !c.readBusy(n) {
			return true
		}
		if n < len(*c.in.buf) {
			return false
		}
	}
}

// readBusy delivers the n bytes a busy connection's read has just read,
// inside the socket's raw read, and reports whether the read goes on (with
// c.in.got saying why not). It is what saves a busy connection a read per
// request: a Read resets the socket's readiness as it begins, so after a
// delivery it must read once more to learn that the socket is empty (an
// EAGAIN for every request of a client that waits for its reply, as every
// goroutine-per-connection server makes). Inside one raw read nothing resets
// it: a read that did not fill the buffer has emptied the socket, and the
// runtime's netpoller wakes the reader when more arrives, even if it arrived
// during the delivery (edge-triggered epoll reports every arrival after the
// last report). While it runs, the reader holds the socket's read lock, which
// a Close waits for: a hard Shut during a delivery shuts the socket down and
// leaves the close to the reader's end (Shut).
func (c *Conn) readBusy(n int) bool {
	// Awake before the look at the shut, as Shut sets it before its look at
	// the reader's state: either this sees the Shut and delivers nothing, or
	// a hard Shut sees the reader awake and leaves the socket open for it.
	c.disp.wake()
	if testHookBusy != nil {
		testHookBusy(c)
	}
	if c.IsShut() {
		c.disp.sleep()
		c.in.got = gotShut
		c.in.dropped = uint16(n) // the one: the reader stops here
		return false
	}
	c.h.Data((*c.in.buf)[:n])
	c.disp.sleep()
	switch {
	case !c.takeAck():
		c.in.got = gotHeld
		return false
	case c.IsShut():
		c.in.got = gotShut
		return false
	}
	t := now()
	c.since.Store(int64(t))
	c.armHot(t)
	return true
}

// look reads once without waiting, into the hot reader's buffer, after the
// input's deadline has passed: a deadline that passed while input waited
// (the process was stopped, by SIGSTOP or a frozen VM or cgroup, and no
// reader ran) is not idleness, and the runtime's read reports a passed
// deadline without looking at the socket. It returns what readHot would, or
// timeout when there is nothing to read.
func (c *Conn) look(timeout error) (int, error) {
	if c.in.buf == nil {
		c.in.buf = getReadBuffer()
	}
	n, err := c.lookInto(*c.in.buf, timeout)
	if n == 0 && c.in.reads < busyReads {
		c.dropBuffer()
	}
	return n, err
}

// lookInto is look's read, into buf.
func (c *Conn) lookInto(buf []byte, timeout error) (int, error) {
	n, rerr := 0, error(nil)
	if c.raw.Control(func(fd uintptr) { n, rerr = readFD(fd, buf) }) != nil {
		return 0, timeout // closed
	}
	switch {
	case rerr == syscall.EAGAIN:
		return 0, timeout
	case rerr != nil:
		return 0, c.readError(os.NewSyscallError("read", rerr))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
