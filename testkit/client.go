package testkit

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Client is one connection to a Server, made by Server.Dial. Its reads and
// writes each have the server's Timeout as their deadline.
type Client struct {
	Conn net.Conn // the socket; use it directly for what the kit does not cover

	srv    *Server
	t      testing.TB
	r      *bufio.Reader
	id     string // the connection's name in the server (conn-N), once known
	seen   uint64 // the seq of the last event about this connection a wait returned
	dialed uint64 // the hub's last seq before the dial: events about this connection come after it
}

// Dial connects a client to the server; it is closed when the test ends.
func (s *Server) Dial(t testing.TB) *Client {
	t.Helper()
	return s.dial(t, net.Dialer{})
}

// dial is Dial through d, which may set the client's own address.
func (s *Server) dial(t testing.TB, d net.Dialer) *Client {
	t.Helper()
	before := s.Hub().LastSeq() // the server's "accepted" for this client comes after it
	d.Timeout = s.Timeout
	c, err := d.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("testkit: dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &Client{Conn: c, srv: s, t: t, r: bufio.NewReader(c), dialed: before}
}

// Send writes p to the server.
func (c *Client) Send(p []byte) {
	c.t.Helper()
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.srv.Timeout))
	if _, err := c.Conn.Write(p); err != nil {
		c.t.Fatalf("testkit: sending %q: %v", clip(p), err)
	}
}

// SendString writes s to the server.
func (c *Client) SendString(s string) {
	c.t.Helper()
	c.Send([]byte(s))
}

// SendLine writes each line followed by "\n".
func (c *Client) SendLine(lines ...string) {
	c.t.Helper()
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	c.Send(b.Bytes())
}

// Expect reads exactly len(want) bytes and fails the test unless they are want.
func (c *Client) Expect(want []byte) {
	c.t.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.srv.Timeout))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.r, got)
	if err != nil {
		c.t.Fatalf("testkit: reading %d bytes: %v; got %q, want %q", len(want), err, clip(got[:n]), clip(want))
	}
	if !bytes.Equal(got, want) {
		c.t.Fatalf("testkit: read %q; want %q", clip(got), clip(want))
	}
}

// ExpectString is Expect of a string.
func (c *Client) ExpectString(want string) {
	c.t.Helper()
	c.Expect([]byte(want))
}

// ReadLine reads one line and returns it without its "\n" or "\r\n".
func (c *Client) ReadLine() string {
	c.t.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.srv.Timeout))
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("testkit: reading a line: %v; got %q", err, clip([]byte(line)))
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
}

// ExpectLine reads one line per want (as ReadLine does) and checks each.
func (c *Client) ExpectLine(want ...string) {
	c.t.Helper()
	for _, w := range want {
		if got := c.ReadLine(); got != w {
			c.t.Fatalf("testkit: read line %q; want %q", got, w)
		}
	}
}

// ExpectClosed waits until the server closes the connection (EOF, or a
// reset) and fails the test if it sends anything more first.
func (c *Client) ExpectClosed() {
	c.t.Helper()
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.srv.Timeout))
	rest, err := io.ReadAll(c.r)
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		c.t.Fatalf("testkit: connection still open after %v (read %q meanwhile)", c.srv.Timeout, clip(rest))
	case len(rest) > 0:
		c.t.Fatalf("testkit: read %q; want the connection closed", clip(rest))
	}
}

// clip shortens p for a failure message.
func clip(p []byte) []byte {
	const max = 256
	if len(p) <= max {
		return p
	}
	return append(p[:max:max], "..."...)
}
