package behaviors

import "async_server/behaviors/protocol"

// echo writes every byte it receives back to the peer, unchanged: the smallest
// behavior, and the model for a new one.
type echo struct {
	conn protocol.Conn
}

var _ protocol.Protocol = (*echo)(nil)

// newEcho returns echo's Setup: a Factory, no services, nothing to release.
func newEcho(Options) (protocol.Setup, error) {
	return protocol.Setup{Factory: func(c protocol.Conn) protocol.Protocol { return &echo{conn: c} }}, nil
}

// Received writes data straight back; a failed write fails the connection with the
// write's own category.
func (e *echo) Received(data []byte) error {
	_, err := e.conn.Write(data)
	return err
}

// TimedOut has nothing to say: echo has no timeout reply.
func (e *echo) TimedOut() {}
