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
// against 1.05 before (4 runs each); keeping it, 1.00 against 1.01. Holding
// its buffer anyway, it reads with the socket's own Read, which does what the
// raw read does without the callback (-2% CPU per echo round trip at 100
// connections, side by side).
//
// Its errors are a Read's: io.EOF at the peer's FIN, and *net.OpError
// otherwise (deadline, closed, reset).
func (c *Conn) readHot() (int, error) {
	if c.in.reads >= busyReads {
		if c.in.buf == nil {
			c.in.buf = getReadBuffer()
		}
		return c.conn.Read(*c.in.buf)
	}
	if c.in.readFn == nil {
		c.in.readFn = c.readSocket // made once: a method value passed on costs an allocation
	}
	err := c.in.raw.Read(c.in.readFn)
	n, rerr := int(c.in.n), c.in.rerr
	switch {
	case err != nil: // the deadline, or the socket closed
		if oe, ok := err.(*net.OpError); ok {
			oe.Op = "read" // not "raw-read": it is the connection's read
		}
		return 0, err
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

// readSocket is readHot's attempt at a read of socket fd (the connection is
// not busy), with a buffer taken for it: it reports false when there is
// nothing to read yet (the buffer returned), and true with the read's result
// in c.in.n and c.in.rerr otherwise.
func (c *Conn) readSocket(fd uintptr) bool {
	if c.in.buf == nil {
		c.in.buf = getReadBuffer()
	}
	for {
		n, err := syscall.Read(int(fd), *c.in.buf)
		c.in.n, c.in.rerr = int32(n), err
		if c.in.rerr != syscall.EINTR {
			break
		}
	}
	if c.in.rerr == syscall.EAGAIN {
		c.dropBuffer() // wait for input holding nothing
		return false
	}
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
	if c.in.raw.Control(func(fd uintptr) {
		for {
			n, rerr = syscall.Read(int(fd), buf)
			if rerr != syscall.EINTR {
				break
			}
		}
	}) != nil {
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
