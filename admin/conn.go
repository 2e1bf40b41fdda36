package admin

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// writeChunk is the most conn writes at once: a reply (a /tree of thousands
// of connections is megabytes) goes out a chunk at a time, so that while
// the endpoint closes each chunk can be given clientStall of its own.
const writeChunk = 16 << 10

// conn is a connection of the endpoint as its http.Server sees it. It
// knows when its client has stalled: a chunk of the reply it has not taken,
// or a read of the request's body (body) that has not got a byte, for
// clientStall. At maxConns a new connection closes a stalled one
// (limitListener). Once the endpoint closes (drain), each read must get a
// byte, and each chunk be taken, within clientStall of the last that moved,
// or it fails and the request ends: a client that reads its reply, or sends
// its request, keeps going; one that has stopped is cut then, not at
// closeTimeout.
type conn struct {
	net.Conn
	stall time.Duration // clientStall (Admin.stallWait)

	mu          sync.Mutex
	read, write time.Time // the deadlines the server asked for
	// draining is set by drain: the endpoint is closing. The deadlines are
	// then no later than clientStall after the last read, or write, that
	// moved a byte (readMoved, wroteMoved), or after drain if none has since.
	draining              bool
	readMoved, wroteMoved time.Time
	// body is set while the request's body is still to come (watchBody):
	// a read then waits for the client, where otherwise it is net/http's
	// background read, which waits for the next request as long as a
	// handler runs. reading and writing are when the read of the body, and
	// the chunk write, in progress began; zero when none.
	body             bool
	reading, writing time.Time
}

// Read reads from the connection; while draining, within clientStall of
// the last read that moved.
func (c *conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	if c.draining {
		_ = c.Conn.SetReadDeadline(c.bound(c.read, c.readMoved))
	}
	if c.body {
		c.reading = time.Now()
	}
	c.mu.Unlock()
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.reading = time.Time{}
	if n > 0 {
		c.readMoved = time.Now()
	}
	c.mu.Unlock()
	return n, err
}

// Write writes p a chunk at a time; while draining, each within
// clientStall of the last that moved.
func (c *conn) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c.mu.Lock()
		if c.draining {
			_ = c.Conn.SetWriteDeadline(c.bound(c.write, c.wroteMoved))
		}
		c.writing = time.Now()
		c.mu.Unlock()
		m, err := c.Conn.Write(p[:min(len(p), writeChunk)])
		c.mu.Lock()
		c.writing = time.Time{}
		if m > 0 {
			c.wroteMoved = time.Now()
		}
		c.mu.Unlock()
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// stalledAt is when the client stalls, or stalled, if the read of the body
// or the chunk write in progress does not move by then; zero when neither
// is in progress.
func (c *conn) stalledAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := c.writing
	if at.IsZero() || !c.reading.IsZero() && c.reading.Before(at) {
		at = c.reading
	}
	if at.IsZero() {
		return at
	}
	return at.Add(c.stall)
}

// expectBody tells whether the request's body is still to come.
func (c *conn) expectBody(pending bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body = pending
}

// SetDeadline sets both deadlines, as SetReadDeadline and SetWriteDeadline.
func (c *conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline; while draining, no later than
// clientStall after the last read that moved.
func (c *conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read = t
	return c.Conn.SetReadDeadline(c.bound(t, c.readMoved))
}

// SetWriteDeadline sets the write deadline; while draining, no later than
// clientStall after the last write that moved. A deadline in the past
// (Close cutting a stream) stays there: every chunk after it fails.
func (c *conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.write = t
	return c.Conn.SetWriteDeadline(c.bound(t, c.wroteMoved))
}

// drain bounds the connection's I/O from now on, the read or write it is
// blocked in included.
func (c *conn) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draining {
		return
	}
	c.draining = true
	now := time.Now()
	c.readMoved, c.wroteMoved = now, now
	_ = c.Conn.SetReadDeadline(c.bound(c.read, c.readMoved))
	_ = c.Conn.SetWriteDeadline(c.bound(c.write, c.wroteMoved))
}

// bound is deadline t, or, while draining, clientStall after moved if that
// is sooner. Call with c.mu held.
func (c *conn) bound(t, moved time.Time) time.Time {
	if !c.draining {
		return t
	}
	if soon := moved.Add(c.stall); t.IsZero() || soon.Before(t) {
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

// connKey is the request context's key for its *conn (http.Server.ConnContext).
type connKey struct{}

// withConn is the http.Server's ConnContext: it keeps the connection in each
// of its requests' contexts, for watchBody.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// watchBody tells a request's connection that its body is still to come,
// until a read of it ends (all of it has come, or the read failed): a read
// on the connection till then is the request's, not net/http's background
// read. If the handler does not read it all, net/http reads the rest itself
// (up to 256 KiB, when the reply starts or after the handler), which counts
// as the request's too; the connection forgets the body once idle. So, once
// net/http has read such a body whole, its background read counts as the
// body's till then: a handler that runs on for a second after (a GET
// /events sent with a body) makes its connection count as stalled, which a
// client doing so deserves.
func watchBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(*conn); ok && r.ContentLength != 0 {
			c.expectBody(true)
			r.Body = &watchedBody{ReadCloser: r.Body, c: c}
		}
		next.ServeHTTP(w, r)
	})
}

// watchedBody is a request's body that tells its connection when it has
// all come.
type watchedBody struct {
	io.ReadCloser
	c *conn
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.c.expectBody(false)
	}
	return n, err
}
