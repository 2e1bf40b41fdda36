package behaviors

import "async_server/behaviors/protocol"

// echo writes every byte it receives back to the peer, unchanged: the smallest
// behavior, and the model for a new one.
type echo struct {
	conn   protocol.Conn
	silent bool // nothing received yet: idle, so closed first to make room
}

var _ protocol.Protocol = (*echo)(nil)

// newEcho returns echo's Setup: a Factory, no services, nothing to release.
func newEcho(Options) (protocol.Setup, error) {
	return protocol.Setup{Factory: newEchoConn}, nil
}

// newEchoConn is echo's Factory. A client that has sent nothing yet is idle
// (Conn.SetIdle): at the connection limit it is closed first to admit a
// waiting one, as http's is; once it has spoken, it is a session, closed only
// by the idle timeout.
func newEchoConn(c protocol.Conn) protocol.Protocol {
	c.SetIdle(true)
	return &echo{conn: c, silent: true}
}

// Received writes data straight back; a failed write fails the connection with the
// write's own category.
func (e *echo) Received(data []byte) error {
	if e.silent {
		e.silent = false
		e.conn.SetIdle(false)
	}
	_, err := e.conn.Write(data)
	return err
}

// TimedOut has nothing to say: echo has no timeout reply.
func (e *echo) TimedOut() {}
