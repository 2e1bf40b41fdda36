package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/supervision"
)

// httpConn is the http connection behavior: one connection's HTTP/1.x state.
//
// The connection actor pushes bytes at it; it keeps the part of a request that
// has not fully arrived in buf, and answers every complete request, in order,
// within the Received call that completed it. So pipelined requests are answered
// in order, a poison pill (shutdown) finds every received request answered, and a
// response is written whole before the actor looks at its mailbox again.
type httpConn struct {
	conn    protocol.Conn
	handler http.Handler
	opts    *Options // with defaults applied; shared by every connection, read only

	// Owned by Received; all of it is reset by a restart (a fresh httpConn).
	buf      []byte       // received bytes not yet consumed: the start of the next request
	scanned  int          // buf[:scanned] holds no complete head (or chunked body end)
	pending  *pendingHead // the parsed head whose body is still arriving, or nil
	closing  bool         // protocol.Conn.Close was called: read nothing more
	served   bool         // a request has been answered: see next
	lastPOST bool         // the last request served was a POST: see leadingBlankLines
	begun    bool         // next has looked at the start of the next request
	started  time.Time    // when the head in buf began: its first byte, or the connection's start
	deadline time.Time    // the read deadline last set on conn (zero: none)
	reported int          // the bytes last reported held (report)

	bw     *bufio.Writer // response bytes, flushed at the end of Received; nil between calls
	cw     connWriter    // bw's destination: conn, remembering the first write error
	remote string        // conn.RemoteAddr().String(), computed once
	clock  clock
}

var _ protocol.Protocol = (*httpConn)(nil)

// pendingHead is a request whose head has been parsed while its body arrives.
//
// A body arrives in buf, after the head (headLen bytes): a chunked one's
// end is found there by the walk. A body that did not come whole with its
// head moves to body (http_body.go; a chunked one decoded as it comes,
// http_chunked_feed.go), the head's bytes to head, and buf holds only what
// follows (headLen is then 0): the chunk framing not yet read whole.
type pendingHead struct {
	req        *http.Request
	headLen    int        // bytes of the head at the start of buf, blank line included
	head       []byte     // the head's bytes, once body holds the body (for Held)
	body       *bodyBuf   // the body, once it outgrew the read that ended the head (its data, if chunked)
	chunks     *chunkFeed // how far such a chunked body is decoded (http_chunked_feed.go)
	continued  bool       // "100 Continue" has been sent
	closeAfter bool       // close after the response: lengthAndChunked
	walk       chunkWalk  // how far a chunked body's end has been looked for
	rate       bodyRate   // when the body falls behind MinBodyRate (http_state.go)
}

// writerSize is the response buffer: big enough to batch the responses to a
// pipelined burst of small requests into one write, small enough to pool.
const writerSize = 16 << 10

// writers, readers and preCommits pool the buffers of connections that are
// between requests, so an idle keep-alive connection holds none.
var (
	writers    = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writerSize) }}
	readers    = sync.Pool{New: func() any { return bufio.NewReader(nil) }}
	preCommits = sync.Pool{New: func() any { return new([preCommitSize]byte) }}
)

// newHTTPConn makes the behavior of a connection that has sent nothing yet (or
// whose behavior was just restarted): idle, and owed a first request within the
// header timeout, as net/http's ReadHeaderTimeout counts from the connection's
// start.
func newHTTPConn(c protocol.Conn, h http.Handler, o *Options) *httpConn {
	hc := &httpConn{conn: c, handler: h, opts: o}
	hc.cw.conn = c
	c.SetIdle(true)
	hc.started = hc.clock.now()
	hc.setDeadline()
	return hc
}

// Received implements protocol.Protocol: it answers every request that data completes,
// keeps what is left, and sets the read deadline for the next bytes.
func (h *httpConn) Received(data []byte) error {
	if h.closing {
		return nil
	}
	h.conn.SetIdle(false)
	src := data // data is only valid during this call; buf outlives it
	if len(h.buf) > 0 {
		h.buf = append(h.buf, data...)
		src = h.buf
	}
	n, err := h.serve(src)
	if ferr := h.flush(); err == nil {
		err = ferr
	}
	if err != nil || h.closing {
		return err
	}
	h.keep(src[n:])
	h.setDeadline()
	h.report()
	return nil
}

// report tells the connection what the behavior holds, for the server's
// memory budget (protocol.Conn.Hold): the start of the next request and a
// pending body's segments. Nothing while requests come whole in one read.
func (h *httpConn) report() {
	n := cap(h.buf)
	if p := h.pending; p != nil && p.body != nil {
		n += p.body.held() + len(p.head)
	}
	if n != h.reported {
		h.conn.Hold(n)
		h.reported = n
	}
}

// Held implements protocol.Holder: the start of the next request (its head,
// and the body so far once the head is parsed).
func (h *httpConn) Held() []byte {
	if p := h.pending; p != nil && p.chunks != nil {
		return append(append(bytes.Clone(p.head), p.chunks.held(p.body)...), h.buf...)
	} else if p != nil && p.body != nil {
		return append(append(bytes.Clone(p.head), p.body.bytes()...), h.buf...)
	}
	return h.buf
}

// TimedOut implements protocol.Protocol: a peer that missed the header deadline in the
// middle of a request, or whose body came too slowly, gets 408. A connection
// that sent nothing, or an idle keep-alive one, is closed quietly, as net/http
// does: a client may already be reusing it and would read the 408 as the
// answer to its next request.
func (h *httpConn) TimedOut() {
	if len(h.buf) == 0 && h.pending == nil {
		return
	}
	cause := errHeaderTimeout
	if h.pending != nil {
		cause = errBodyTimeout
	}
	_ = h.reject(http.StatusRequestTimeout, cause, supervision.Timeout)
	_ = h.flush()
}

// serve answers the complete requests at the start of src and returns how many
// bytes it took: theirs, and those a pending body took in.
func (h *httpConn) serve(src []byte) (int, error) {
	off := 0
	for off < len(src) && !h.closing {
		n, err := h.next(src[off:])
		off += n
		if err != nil || n == 0 || h.pending != nil {
			return off, err
		}
	}
	return off, nil
}

// next answers the request at the start of b if it is complete, and returns the
// bytes it took; 0, or a request still pending, means wait for more.
func (h *httpConn) next(b []byte) (int, error) {
	if h.pending == nil {
		if !h.begun { // as net/http's server: peek 4 bytes before a later request, then skip
			if h.served && len(b) < 4 {
				return 0, nil
			}
			h.begun = true
			if n := leadingBlankLines(b); h.lastPOST && n > 0 {
				return n, nil
			}
		}
		ok, err := h.head(b)
		if !ok || err != nil {
			return 0, err
		}
	}
	p := h.pending
	body, n, done, err := h.body(b)
	if err != nil || !done {
		if err == nil && !p.continued && expectsContinue(p.req) {
			p.continued = true
			_, _ = h.writer().WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		}
		return n, err
	}
	h.pending, h.scanned, h.started = nil, 0, time.Time{}
	h.served, h.begun, h.lastPOST = true, false, p.req.Method == http.MethodPost
	return n, h.respond(p.req, body, b[n:], p.closeAfter)
}

// head parses the request head at the start of b once it is complete, checks
// it against the limits, and makes it pending.
func (h *httpConn) head(b []byte) (bool, error) {
	end := blankLineEnd(b, h.scanned)
	if end < 0 {
		if over(len(b), h.opts.MaxHeaderBytes) {
			return false, h.reject(http.StatusRequestHeaderFieldsTooLarge, errHeaderTooLarge, supervision.TooLarge)
		}
		h.scanned = max(len(b)-2, 0) // a blank line may straddle the next chunk
		return false, nil
	}
	if over(end, h.opts.MaxHeaderBytes) {
		return false, h.reject(http.StatusRequestHeaderFieldsTooLarge, errHeaderTooLarge, supervision.TooLarge)
	}
	req, status, err := h.parseHead(b[:end])
	if err != nil {
		return false, h.reject(status, err, supervision.BadRequest)
	}
	if over(req.ContentLength, h.opts.MaxBody) {
		return false, h.reject(http.StatusRequestEntityTooLarge, errBodyTooLarge, supervision.TooLarge)
	}
	h.pending, h.scanned = &pendingHead{req: req, headLen: end, closeAfter: lengthAndChunked(req, b[:end])}, end
	h.pending.rate.start(h.clock.now(), h.opts)
	return true, nil
}

// respond runs the handler on req and writes its response, closing the
// connection after it if closeAfter. rest is what followed the request in
// the input: pipelined requests.
func (h *httpConn) respond(req *http.Request, body io.ReadCloser, rest []byte, closeAfter bool) error {
	req.Body = body
	if h.remote == "" {
		h.remote = h.conn.RemoteAddr().String()
	}
	req.RemoteAddr = h.remote
	pre := preCommits.Get().(*[preCommitSize]byte)
	w := newResponse(h, req, pre[:0])
	w.closeAfter = closeAfter
	err := h.run(w, req, rest)
	w.pre = nil // a handler that writes after it returned cannot reach the pooled buffer
	preCommits.Put(pre)
	return err
}

// run runs the handler on req and completes its response w.
func (h *httpConn) run(w *response, req *http.Request, rest []byte) error {
	if r := h.callHandler(w, req); r != nil {
		return h.handlerPanicked(w, r, rest)
	}
	if err := w.finish(); err != nil {
		return err
	}
	if w.closeAfter {
		h.close()
	}
	return h.cw.err
}

// callHandler runs the handler and returns what it panicked with, if it did.
// "OPTIONS *" is the server's to answer, not the handler's, as net/http's
// server has it (unless its DisableGeneralOptionsHandler): see globalOptions.
func (h *httpConn) callHandler(w *response, req *http.Request) (panicked any) {
	defer func() { panicked = recover() }()
	if req.RequestURI == "*" && req.Method == http.MethodOptions {
		globalOptions(w, req)
		return nil
	}
	h.handler.ServeHTTP(w, req)
	return nil
}

// maxOptionsBody is the most of an "OPTIONS *" body net/http's server reads:
// the body is reserved for future use; more than this, it closes after the reply.
const maxOptionsBody = 4 << 10

// globalOptions answers "OPTIONS *" (a question about the server, not about a
// resource) as net/http's globalOptionsHandler does: 200 with an empty body,
// and "Connection: close" when the request's body is over 4 KiB, where
// net/http's http.MaxBytesReader gives up on it. Other methods with the target
// "*" go to the handler, as in net/http (http.ServeMux answers them 400).
func globalOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	if n, _ := io.Copy(io.Discard, r.Body); n > maxOptionsBody {
		w.Header().Set("Connection", "close")
	}
}

// handlerPanicked answers 500 if no part of the response has been sent, and
// fails the connection with Internal: the actor restarts with the socket kept,
// and the fresh behavior gets rest, the pipelined requests behind this one,
// through protocol.Conn.Unread. When the response was cut short (or the handler aborted
// with http.ErrAbortHandler) the framing is lost and the connection is closed.
func (h *httpConn) handlerPanicked(w *response, r any, rest []byte) error {
	cause := fmt.Errorf("handler panic: %s", capText(fmt.Sprint(r)))
	if r != http.ErrAbortHandler { // the handler's way of saying "abort quietly"
		if e := h.conn.LogFailure(logrus.ErrorLevel); e != nil { // a client may ask for it again and again
			e.WithField("panic", capText(fmt.Sprint(r))).WithField("stack", string(debug.Stack())).
				Error("http handler panicked")
		}
	}
	lost := w.committed || r == http.ErrAbortHandler
	if !w.committed {
		writeErrorResponse(h.writer(), h.clock.date(), http.StatusInternalServerError, errHandlerPanic, lost)
	}
	if lost {
		h.close()
	} else if len(rest) > 0 {
		h.conn.Unread(rest)
	}
	return &supervision.Error{Category: supervision.Internal, Op: "handler", Err: cause, FramingLost: lost}
}

// reject answers a request the server will not serve with status and a short
// text, closes the connection once it is sent, and returns the categorized error
// the connection fails with. The framing is lost: the server no longer knows
// where the next request would start. A parser's error becomes "malformed
// request" in the reply (its words quote the input) and is capped in the log.
func (h *httpConn) reject(status int, cause error, c supervision.Category) error {
	reason := cause
	if errors.Is(cause, errMalformed) {
		reason = errMalformed
	} else if status == http.StatusBadRequest && !isOwnError(cause) {
		reason, cause = errMalformed, malformed(cause)
	}
	writeErrorResponse(h.writer(), h.clock.date(), status, reason, true)
	h.close()
	return &supervision.Error{Category: c, Op: "http", Err: cause, FramingLost: true}
}

func (h *httpConn) close() {
	h.closing = true
	h.conn.Close()
}
