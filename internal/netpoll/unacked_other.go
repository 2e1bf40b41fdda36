//go:build !linux

package netpoll

import "net"

// Unacked is Linux's (unacked_linux.go): elsewhere the send queue is not
// known, and it returns 0.
func (c *Conn) Unacked() int { return 0 }

// Unread is Linux's (unacked_linux.go): elsewhere the receive queue is not
// known, and it returns 0.
func (c *Conn) Unread() int { return 0 }

// Unacked is 0 where the socket's queues cannot be looked at.
func Unacked(net.Conn) int { return 0 }
