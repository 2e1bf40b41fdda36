//go:build !linux

package netpoll

// Poller is Linux's (poller_linux.go): elsewhere there is none, and every
// connection reads through a held buffer on a goroutine of its own (readHeld).
type Poller struct{}

// Acquire returns nil: there is no poller here.
func Acquire() *Poller { return nil }

// Release does nothing: there is no poller here.
func Release() {}

func (p *Poller) watch(*Conn) int  { return refused }
func (p *Poller) rekey(*Conn)      {}
func (p *Poller) release(*Conn)    {}
func (p *Poller) claim(*Conn) bool { return false }

// What watch did (watch_linux.go).
const (
	watched = iota
	shutHot
	refused
)
