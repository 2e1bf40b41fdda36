//go:build linux

package netpoll

import (
	"net"
	"syscall"
	"unsafe"
)

// Unacked returns how many bytes written to the socket (its FIN counting
// one) the peer has not acknowledged yet: the kernel's send queue
// (SIOCOUTQ). A hard Shut drops them, so that a socket cut with more than
// its FIN unacknowledged cost its peer part of what it was sent. 0 if the
// socket is closed. It never blocks.
func (c *Conn) Unacked() int { return Unacked(c.conn) }

// Unacked is Conn.Unacked for any connection over a TCP one (TCP).
func Unacked(conn net.Conn) int { return queued(conn, syscall.TIOCOUTQ) }

// Unread returns how many bytes the peer sent that the reader has not read
// yet: the kernel's receive queue (SIOCINQ), looked at, not read. A
// connection with some is about to be delivered input. 0 if the socket is
// closed. It never blocks.
func (c *Conn) Unread() int { return queued(c.conn, syscall.TIOCINQ) }

// queued is the ioctl req of sock's socket (a queue's length in bytes), 0
// if it cannot be had.
func queued(conn net.Conn, req uint) int {
	tc := TCP(conn)
	if tc == nil {
		return 0
	}
	rc, ok := socket(tc)
	if !ok {
		return 0
	}
	var n int32
	_ = rc.Control(func(fd uintptr) {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(req), uintptr(unsafe.Pointer(&n))); e != 0 {
			n = 0
		}
	})
	return int(n)
}
