//go:build !unix

package actors

import (
	"net"
	"syscall"
)

// rawConn returns nil: without unix's non-blocking read, every connection is
// read through its net.Conn with a held buffer (readHeld).
func rawConn(net.Conn) syscall.RawConn { return nil }

func (l *link) readRaw() (*[]byte, int, error) { panic("readRaw without a RawConn") }

func (l *link) rawRead(uintptr) bool { panic("rawRead without a RawConn") }
