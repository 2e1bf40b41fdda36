package admin

import (
	"net"
	"sync"
	"time"
)

// writeChunk is the most conn writes at once: a reply (a /tree of thousands
// of connections is megabytes) goes out a chunk at a time, so that while
// the endpoint closes each chunk can be given closeStall of its own.
const writeChunk = 16 << 10

// conn is a connection of the endpoint as its http.Server sees it. Once the
// endpoint closes (drain), a client must keep up: each read must get a byte,
// and each chunk written must be taken, within closeStall, or it fails and
// the request ends. A client that reads its reply, or sends its request,
// keeps going as before; one that has stopped is cut then, not at
// closeTimeout. Until then it is the connection it wraps.
type conn struct {
	net.Conn
	stall time.Duration // closeStall (Admin.stallWait)

	mu       sync.Mutex
	draining bool      // the endpoint is closing: I/O is bounded by closeStall
	read     time.Time // the read deadline the server asked for
	write    time.Time // the write deadline the server asked for
}

// Read reads from the connection; while draining, within closeStall.
func (c *conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.draining {
		_ = c.Conn.SetReadDeadline(c.bound(c.read))
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// Write writes p a chunk at a time; while draining, each within closeStall.
func (c *conn) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c.mu.Lock()
		if c.draining {
			_ = c.Conn.SetWriteDeadline(c.bound(c.write))
		}
		c.mu.Unlock()
		m, err := c.Conn.Write(p[:min(len(p), writeChunk)])
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// SetDeadline sets both deadlines, as SetReadDeadline and SetWriteDeadline.
func (c *conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline; while draining, no later than
// closeStall from now.
func (c *conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = t
	return c.Conn.SetReadDeadline(c.bound(t))
}

// SetWriteDeadline sets the write deadline; while draining, no later than
// closeStall from now. A deadline in the past (Close cutting a stream) stays
// there: every chunk after it fails.
func (c *conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write = t
	return c.Conn.SetWriteDeadline(c.bound(t))
}

// drain bounds the connection's I/O from now on, the read or write it is
// blocked in included.
func (c *conn) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.draining = true
	_ = c.Conn.SetReadDeadline(c.bound(c.read))
	_ = c.Conn.SetWriteDeadline(c.bound(c.write))
}

// bound is deadline t, or, while draining, closeStall from now if that is
// sooner. Call with c.mu held.
func (c *conn) bound(t time.Time) time.Time {
	if !c.draining {
		return t
	}
	if soon := time.Now().Add(c.stall); t.IsZero() || soon.Before(t) {
		return soon
	}
	return t
}

// CloseWrite shuts the sending side of the TCP connection it wraps:
// http.Server does so before closing a connection whose request it has not
// read whole (a header over 64 KiB, a fault over 4 KiB), so that the client
// gets the error reply before the reset the unread bytes cause.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// reset closes the connection with a reset, not a FIN: it has sent no
// request, so no reply is in flight to protect.
func (c *conn) reset() {
	if tcp, ok := c.Conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = c.Conn.Close()
}
