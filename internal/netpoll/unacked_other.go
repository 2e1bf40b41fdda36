//go:build !linux

package netpoll

// Unacked is Linux's (unacked_linux.go): elsewhere the send queue is not
// known, and it returns 0.
func (c *Conn) Unacked() int { return 0 }
