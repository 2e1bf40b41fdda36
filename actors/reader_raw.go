//go:build unix

package actors

import (
	"io"
	"net"
	"os"
	"syscall"
)

// rawConn returns conn's syscall.RawConn, or nil when conn has none (a TLS
// conn, whose input must go through crypto/tls).
func rawConn(conn net.Conn) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// readRaw waits until the socket has input, holding no buffer meanwhile, and
// reads it into a pooled buffer, which the caller puts back once it is done
// with it. The socket's read deadline applies to the wait (rc.Read honours it).
// Errors are those of net.Conn's Read: io.EOF, or a *net.OpError.
func (l *link) readRaw() (*[]byte, int, error) {
	in := &l.in
	in.got, in.n, in.err = nil, 0, nil
	err := in.rc.Read(in.rawFn)
	if err == nil {
		err = in.err
	}
	if err == nil && in.n > 0 {
		return in.got, in.n, nil
	}
	if in.got != nil {
		putReadBuffer(in.got)
	}
	if err == nil {
		return nil, 0, io.EOF
	}
	if errno, ok := err.(syscall.Errno); ok {
		err = os.NewSyscallError("read", errno)
	}
	return nil, 0, &net.OpError{Op: "read", Net: "tcp", Source: l.conn.LocalAddr(), Addr: l.conn.RemoteAddr(), Err: err}
}

// rawRead is what readRaw has rc.Read run on the socket: a non-blocking read
// into a buffer taken from the pool just for it. When there is nothing to read
// it puts the buffer back and reports false, and rc.Read waits for the socket
// to become readable (or its deadline, or its close) and calls it again.
func (l *link) rawRead(fd uintptr) bool {
	buf := getReadBuffer()
	n, err := syscall.Read(int(fd), *buf)
	for err == syscall.EINTR {
		n, err = syscall.Read(int(fd), *buf)
	}
	if err == syscall.EAGAIN {
		putReadBuffer(buf)
		return false
	}
	l.in.got, l.in.n, l.in.err = buf, max(n, 0), err
	return true
}
