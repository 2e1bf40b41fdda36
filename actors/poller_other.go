//go:build !linux

package actors

// poller is Linux's (poller_linux.go): elsewhere there is none, and every
// connection reads through a held buffer on a goroutine of its own (readHeld).
type poller struct{}

func acquirePoller() *poller       { return nil }
func releasePoller()               {}
func (p *poller) watch(*link) bool { return false }
func (p *poller) claim(*link) bool { return false }
