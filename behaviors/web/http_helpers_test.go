package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/supervision"
)

// fakeConn is a protocol.Conn that records what the behavior does with it.
type fakeConn struct {
	out      bytes.Buffer
	writes   int       // Write calls
	closed   bool      // Close was called
	deadline time.Time // the last SetReadDeadline
	failAt   int       // when > 0, the failAt-th Write fails
	idle     bool      // the last SetIdle
	unread   []byte    // the last Unread
	held     int       // the last Hold
}

var _ protocol.Conn = (*fakeConn)(nil)

func (c *fakeConn) Write(p []byte) (int, error) {
	c.writes++
	if c.failAt > 0 && c.writes >= c.failAt {
		return 0, supervision.New(supervision.ConnectionFailed, "write", errors.New("broken pipe"))
	}
	return c.out.Write(p)
}

func (c *fakeConn) SetReadDeadline(t time.Time) { c.deadline = t }
func (c *fakeConn) Close()                      { c.closed = true }
func (c *fakeConn) SetIdle(idle bool)           { c.idle = idle }
func (c *fakeConn) SuspendIdleTimeout(bool)     {}
func (c *fakeConn) Unread(p []byte)             { c.unread = bytes.Clone(p) }
func (c *fakeConn) Hold(n int)                  { c.held = n }
func (c *fakeConn) Service(string) *actor.PID   { return nil }
func (c *fakeConn) Send(*actor.PID, any)        {}
func (c *fakeConn) Request(*actor.PID, any) uint64 {
	return 0
}
func (c *fakeConn) Watch(*actor.PID) {}
func (c *fakeConn) ID() string       { return "conn-test" }
func (c *fakeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242}
}
func (c *fakeConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7878}
}
func (c *fakeConn) Log() *logrus.Entry {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return logrus.NewEntry(l)
}
func (c *fakeConn) LogFailure(logrus.Level) *logrus.Entry { return c.Log() }

// testTime is the fixed clock of test connections, so responses are reproducible.
var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestConn returns an http behavior over a fakeConn serving h with o, whose
// zero fields take their defaults (so tests name only what they change); a
// negative field, which the behavior reads as 0, disables its limit.
func newTestConn(h http.Handler, o Options) (*httpConn, *fakeConn) {
	fc := &fakeConn{}
	opts := testOptions(o)
	hc := newHTTPConn(fc, h, &opts)
	hc.clock.fixed = testTime
	hc.started = testTime // the connection's start, by the test's clock
	hc.setDeadline()
	return hc, fc
}

// testOptions returns o with its zero fields set to their defaults.
func testOptions(o Options) Options {
	d := DefaultOptions()
	if o.MaxBody == 0 {
		o.MaxBody = d.MaxBody
	}
	if o.MaxHeaderBytes == 0 {
		o.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if o.HeaderTimeout == 0 {
		o.HeaderTimeout = d.HeaderTimeout
	}
	if o.MinBodyRate == 0 {
		o.MinBodyRate = d.MinBodyRate
	}
	if o.KeepAliveTimeout == 0 {
		o.KeepAliveTimeout = d.KeepAliveTimeout
	}
	return o
}

// feed delivers chunks to hc as the connection actor would: in order, stopping
// at the first error or once the behavior asked to close.
func feed(hc *httpConn, fc *fakeConn, chunks ...[]byte) error {
	for _, c := range chunks {
		buf := bytes.Clone(c) // the reader's buffer: reused after the call
		err := hc.Received(buf)
		for i := range buf {
			buf[i] = 'X'
		}
		if err != nil || fc.closed {
			return err
		}
	}
	return nil
}

// splitAt returns b cut at the given offsets, in order.
func splitAt(b []byte, cuts ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, c := range cuts {
		out = append(out, b[prev:c])
		prev = c
	}
	return append(out, b[prev:])
}

// testHandler answers what it was asked, and a few paths do more:
//
//	/panic       panics
//	/stream?n=N  writes N bytes in 1000-byte writes (chunked for a large N)
//	/flush       writes "a", flushes, writes "b"
//	/short       declares Content-Length 10 and writes 3 bytes
//	/nocontent   answers 204 and tries to write a body
//	/close       sets "Connection: close"
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s %s body=%q trailer=%q", r.Method, r.URL.Path, r.Proto, body, r.Trailer.Get("X-T"))
	})
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("n"), &n)
		chunk := bytes.Repeat([]byte("x"), 1000)
		for ; n > 0; n -= len(chunk) {
			w.Write(chunk[:min(n, len(chunk))])
		}
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		io.WriteString(w, "b")
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "abc")
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		io.WriteString(w, "not sent")
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	return mux
}

// reply is one parsed response.
type reply struct {
	status    int
	header    http.Header
	body      string
	close     bool // it said "Connection: close" (or is HTTP/1.0 without keep-alive)
	truncated bool // its body ended before its framing said
}

// parseReplies parses out as the responses to requests with the given methods
// (a missing method is GET), skipping 100 Continue. It fails t if a response
// head does not parse; a body cut short ends the list.
func parseReplies(t testing.TB, out []byte, methods ...string) []reply {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(out))
	var replies []reply
	for i := 0; ; {
		if _, err := br.Peek(1); err == io.EOF {
			return replies
		}
		method := "GET"
		if i < len(methods) {
			method = methods[i]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("response %d: %v; output:\n%s", i, err, out)
		}
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusContinue {
			continue
		}
		replies = append(replies, reply{resp.StatusCode, resp.Header, string(body), resp.Close, err != nil})
		if err != nil { // a body cut short ends the output
			return replies
		}
		i++
	}
}

// categoryOf returns the category of err and whether it lost the framing; "none"
// for a nil error.
func categoryOf(err error) string {
	var se *supervision.Error
	switch {
	case err == nil:
		return "none"
	case errors.As(err, &se) && se.FramingLost:
		return se.Category.String() + "+lost"
	case errors.As(err, &se):
		return se.Category.String()
	}
	return "untyped: " + err.Error()
}

// req builds a raw request from lines joined by CRLF, ending with a blank line.
func req(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n\r\n" }
