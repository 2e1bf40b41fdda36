//go:build !linux

package netpoll

import (
	"errors"
	"net"
	"syscall"
)

// socket is Linux's (reader_linux.go): elsewhere there is no poller, and every
// connection reads on a goroutine of its own (readHeld).
func socket(net.Conn) (syscall.RawConn, bool) { return nil, false }

// readHot is never called where socket reports no socket.
func (c *Conn) readHot() (int, error) { return 0, errors.New("no hot reader on this platform") }

// look and lookInto are never called where there is no socket to look at.
func (c *Conn) look(timeout error) (int, error)                 { return 0, timeout }
func (c *Conn) lookInto(buf []byte, timeout error) (int, error) { return 0, timeout }

// WriteNow writes nothing where there is no raw socket: the caller writes it
// all through NetConn.
func (c *Conn) WriteNow(p []byte) int { return 0 }
