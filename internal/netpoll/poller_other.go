//go:build !linux

package netpoll

// Poller is Linux's (poller_linux.go): elsewhere there is none, and every
// connection reads through a held buffer on a goroutine of its own (readHeld).
type Poller struct{}

func Acquire() *Poller            { return nil }
func Release()                    {}
func (p *Poller) watch(*Conn) int { return refused }
func (p *Poller) rekey(*Conn)     {}

// What watch did (poller_linux.go).
const (
	watched = iota
	shutHot
	refused
)

func (p *Poller) claim(*Conn) bool { return false }
