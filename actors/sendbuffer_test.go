//go:build linux

package actors

import (
	"net"
	"syscall"
	"testing"
)

// TestSetSendBuffer ensures Config.SendBuffer reaches the socket: Linux
// keeps twice the size asked for (its bookkeeping), and no more, so what a
// slow reader makes the kernel hold is bounded by it.
func TestSetSendBuffer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 48 << 10
	setSendBuffer(c, n)
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	var gerr error
	if err := raw.Control(func(fd uintptr) { got, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF) }); err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	if got != 2*n {
		t.Errorf("SO_SNDBUF = %d after setSendBuffer(%d); want %d", got, n, 2*n)
	}
}
