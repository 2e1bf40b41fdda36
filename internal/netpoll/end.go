package netpoll

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"time"
)

// How a connection's reader ends: it tells the owner why (finish), drains
// what the peer still sends, and closes the socket (drain).

// end ends the connection's reader: it finishes, then tells the owner the
// socket is closed.
func (c *Conn) end(err error) {
	c.h.Closed(c.finish(err))
}

// finish ends the reader's work: after a read error it tells the actor (unless
// the connection is shut already) and waits for the shut that always follows;
// then it drains and closes the socket, and returns how many bytes the drain
// discarded.
func (c *Conn) finish(err error) int {
	if err == io.EOF {
		// The peer has sent everything and its FIN: no input can be left unread
		// at the close, so the close needs no FIN first and no drain (shut, drain).
		c.peerDone.Store(true)
	}
	if err != nil {
		if !c.IsShut() {
			c.disp.wake()
			c.h.Failed(err)
			c.disp.sleep()
		}
		for !c.IsShut() { // the actor always stops after a failure
			c.awaitAck(false)
		}
	}
	return c.drain()
}

// secure runs the TLS handshake of a TLS connection, under handshakeTimeout, and
// then tells the actor the connection is ready. A plain connection has nothing
// to do.
func (c *Conn) secure() error {
	tc, ok := c.conn.(*tls.Conn)
	if !ok {
		return nil
	}
	_ = tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.HandshakeContext(context.Background()); err != nil {
		c.answerPlainText(err)
		return fmt.Errorf("tls handshake: %w", err)
	}
	_ = tc.SetDeadline(time.Time{}) // arm and Write set their own from here on
	c.in.armed = 0
	c.disp.wake()
	c.h.Ready()
	c.disp.sleep()
	return nil
}

// answerPlainText writes the behavior's reply (protocol.Setup.NotTLS) to a
// client whose handshake failed because it spoke in the clear, if the
// behavior has one for what it sent. The reply goes out under the handshake's
// deadline; the close that follows is graceful (the actor stops on the
// BadRequest, and the drain reads the socket itself: drainTLS), so unread
// input does not turn it into a reset that could destroy the reply.
func (c *Conn) answerPlainText(err error) {
	var re tls.RecordHeaderError
	if c.opts.NotTLS == nil || !errors.As(err, &re) || re.Conn == nil {
		return
	}
	if reply := c.opts.NotTLS(re.RecordHeader[:]); len(reply) > 0 {
		_, _ = re.Conn.Write(reply)
	}
}

// drain discards what the peer still sends until it closes or lingerTimeout
// passes, then closes the socket, and returns how many bytes were discarded:
// those and any the reader read but did not deliver, having found the
// connection shut.
func (c *Conn) drain() int {
	discarded := int(c.in.dropped)
	if !c.peerDone.Load() {
		for !c.shutDone.Load() { // shut is between a few calls that do not block
			runtime.Gosched()
		}
		conn := c.conn
		if tc, ok := conn.(*tls.Conn); ok {
			conn = drainTLS(tc)
		}
		buf := getReadBuffer() // a fresh one: the last delivered may still be in use
		discarded += Discard(conn, *buf)
		putReadBuffer(buf)
	}
	if c.in.slot != 0 {
		c.in.poll.release(c)
	}
	_ = c.conn.Close()
	return discarded
}

// drainTLS half-closes a TLS connection, on its own goroutine (see shut), and
// returns what the drain reads from: after a handshake, close_notify, and
// the TLS connection; after a failed one (a client that spoke in the clear,
// answered by NotTLS, say), a FIN on the socket itself, which is then read
// directly, since crypto/tls only repeats the handshake's error.
func drainTLS(tc *tls.Conn) net.Conn {
	if tc.ConnectionState().HandshakeComplete {
		_ = tc.CloseWrite()
		return tc
	}
	sock := tc.NetConn()
	if tcp := TCP(sock); tcp != nil {
		_ = tcp.CloseWrite()
	}
	return sock
}

// Discard reads and drops what the peer of a half-closed conn still sends, until
// it closes or lingerTimeout passes, and returns how many bytes that was.
// Closing a socket with unread input makes the kernel send RST, which can
// destroy the last reply in flight.
//
// When the deadline passes it looks once more, for drainGrace, and goes on as
// long as each look finds input, up to lingerMax in all: a process short of
// CPU may not have run this goroutine for the whole lingerTimeout, and input
// that came in time must not be met with a reset. A peer that keeps sending is
// cut off at lingerMax.
func Discard(conn net.Conn, buf []byte) int {
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(lingerTimeout))
	n, graced := 0, false
	for {
		k, err := conn.Read(buf)
		n += k
		if k > 0 {
			graced = false
		}
		if err == nil {
			continue
		}
		if graced || !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) >= lingerMax {
			return n
		}
		graced = true
		_ = conn.SetReadDeadline(time.Now().Add(drainGrace))
	}
}
