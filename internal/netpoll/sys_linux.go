//go:build linux

package netpoll

import (
	"sync"
	"syscall"
	"unsafe"
)

// The socket's reads and writes are raw system calls (syscall.RawSyscall),
// without the runtime's entersyscall and exitsyscall around them, as
// cloudwego/netpoll makes its own. On a non-blocking socket they return at
// once, so the runtime has nothing to hand off while they run; and the
// bookkeeping costs more than the time: entersyscall wakes the runtime's
// sysmon thread whenever it has gone to sleep for want of work (every P
// idle, as in a server that waits for its clients), and a woken sysmon polls
// every 20 µs for the next millisecond. At redis-benchmark -P 1 (50 clients,
// 200 000 GETs, the server pinned to one core) that was 24 000 nanosleeps and
// 7 000 futex calls, and 19.0 µs of server CPU per request; raw, 600 and 170,
// and 17.0-17.6 µs.
//
// A raw call holds its P while the kernel works, so writes are raw only up to
// rawWriteMax: a larger one, whose copy into the socket (and, over loopback,
// into its peer) takes longer, goes through the runtime's own Write.

// rawWriteMax is the largest write WriteNow makes.
const rawWriteMax = 64 << 10

// readFD reads from socket fd into buf, retrying an interrupted read; n is
// -1 with an error, as syscall.Read's.
func readFD(fd uintptr, buf []byte) (n int, err error) {
	if testHookRead != nil {
		testHookRead()
	}
	return rawIO(syscall.SYS_READ, fd, buf)
}

// rawIO is read(2) or write(2) (trap) of p on fd, retrying an interrupted call.
func rawIO(trap, fd uintptr, p []byte) (int, error) {
	for {
		r, _, errno := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
		switch {
		case errno == 0:
			return int(r), nil
		case errno != syscall.EINTR:
			return -1, errno
		}
	}
}

// WriteNow writes to the socket what it takes of p at once, with one raw
// write, and returns how much that was. It does not wait: what is left
// (the socket full, an error, a write past rawWriteMax, a TLS connection)
// is for the caller to write through NetConn, which waits under the write
// deadline and reports the error as net.Conn does. Call it where the
// connection's writes are made, one at a time.
func (c *Conn) WriteNow(p []byte) int {
	if c.raw == nil || len(p) == 0 || len(p) > rawWriteMax {
		return 0
	}
	w := rawWrites.Get().(*rawWrite)
	w.p = p
	// RawConn.Write holds the socket open while fn runs, as a Write would;
	// fn never asks it to wait.
	if c.raw.Write(w.fn) != nil {
		w.n = 0
	}
	n := w.n
	w.p, w.n = nil, 0
	rawWrites.Put(w)
	return n
}

// rawWrite is one WriteNow's state. It is pooled with its fn, made once, so a
// write allocates nothing (a closure passed to RawConn.Write would escape).
type rawWrite struct {
	fn func(fd uintptr) bool
	p  []byte
	n  int
}

var rawWrites = sync.Pool{New: func() any {
	w := new(rawWrite)
	w.fn = w.write
	return w
}}

func (w *rawWrite) write(fd uintptr) bool {
	n, _ := rawIO(syscall.SYS_WRITE, fd, w.p)
	w.n = max(n, 0)
	return true
}
