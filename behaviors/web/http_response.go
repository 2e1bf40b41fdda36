package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/http/httpguts"

	"async_server/behaviors/protocol"
)

// preCommitSize is how much body a response holds back before it must choose its
// framing: a handler that writes no more than this and returns gets a
// Content-Length, a longer or flushed response is chunked. It is net/http's
// bufferBeforeChunkingSize, so handlers see the same framing as under net/http.
const preCommitSize = 2048

// sniffLen is how much of a body http.DetectContentType looks at.
const sniffLen = 512

// response is the http.ResponseWriter of one request. Its bytes go to the
// connection's buffered writer, which Received flushes; a body larger than the
// buffer streams through it, each write paced by the connection's write timeout.
//
// Framing follows net/http: the handler's Content-Length if it set one; else the
// length of a short body once the handler returns; else chunked (HTTP/1.1) or the
// end of the connection (HTTP/1.0).
type response struct {
	hc            *httpConn
	req           *http.Request
	handlerHeader http.Header // what Header returns
	header        http.Header // handlerHeader as it was at WriteHeader: what is sent

	status      int
	wroteHeader bool  // the status is chosen
	committed   bool  // the status line and header are in the writer
	handlerDone bool  // the handler has returned
	head        bool  // a HEAD request: count body bytes, send none
	chunked     bool  // the body is sent chunked
	length      int64 // the body's length, -1 when unknown
	written     int64 // body bytes accepted so far
	pre         []byte
	closeAfter  bool // close the connection after this response
}

var (
	_ http.ResponseWriter = (*response)(nil)
	_ http.Flusher        = (*response)(nil)
	_ io.ReaderFrom       = (*response)(nil)
)

// newResponse makes the response to req, holding back body bytes in pre (empty,
// with the capacity of the pre-commit buffer) until it must commit.
func newResponse(hc *httpConn, req *http.Request, pre []byte) *response {
	return &response{hc: hc, req: req, handlerHeader: make(http.Header), length: -1,
		head: req.Method == http.MethodHead, pre: pre}
}

// Header implements http.ResponseWriter.
func (w *response) Header() http.Header { return w.handlerHeader }

// WriteHeader implements http.ResponseWriter. An informational (1xx) status is
// sent at once and leaves the final status to come.
func (w *response) WriteHeader(code int) {
	if w.wroteHeader {
		w.hc.conn.Log().WithField("status", code).Debug("http: superfluous WriteHeader call")
		return
	}
	if code < 100 || code > 999 { // a handler bug; net/http panics the same way
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		bw := w.hc.writer()
		writeStatusLine(bw, code)
		_ = w.handlerHeader.Write(bw)
		_, _ = bw.WriteString("\r\n")
		_ = bw.Flush()
		return
	}
	w.wroteHeader, w.status = true, code
	w.header = w.handlerHeader.Clone()
}

// Write implements http.ResponseWriter.
func (w *response) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowedForStatus(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if !w.committed {
		if len(w.pre)+len(p) <= cap(w.pre) {
			w.pre = append(w.pre, p...)
			return len(p), nil
		}
		w.commit(p)
		if _, err := w.writeBody(w.pre); err != nil {
			return 0, err
		}
	}
	return w.writeBody(p)
}

// WriteString implements io.StringWriter, which io.WriteString and fmt.Fprint
// prefer: a small body (the common case) goes into the pre-commit buffer without
// the allocation of a []byte conversion. Anything else is Write's.
func (w *response) WriteString(s string) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed && bodyAllowedForStatus(w.status) && len(w.pre)+len(s) <= cap(w.pre) {
		w.pre = append(w.pre, s...)
		return len(s), nil
	}
	return w.Write([]byte(s))
}

// ReadFrom implements io.ReaderFrom, which io.Copy prefers. http.ServeContent
// copies every file with io.CopyN; without ReadFrom each response allocates
// io.Copy's buffer (the file's size, up to 32 KiB): half of all the bytes the
// static file server allocated under wrk. It copies through a pooled buffer with
// Write's semantics (framing, sniffing, length checks). Both sides are wrapped so
// that neither a file's WriteTo nor this method is found again, which would bring
// the allocation back.
func (w *response) ReadFrom(src io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{src}, *buf)
}

// copyBuffers are ReadFrom's buffers, io.Copy's size.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// Flush implements http.Flusher: it sends the header and what is buffered now.
func (w *response) Flush() { _ = w.FlushError() }

// FlushError is Flush with its error, for http.ResponseController.
func (w *response) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(nil)
		if _, err := w.writeBody(w.pre); err != nil {
			return err
		}
	}
	_ = w.hc.writer().Flush()
	return w.hc.cw.err
}

// finish completes the response once the handler has returned.
func (w *response) finish() error {
	w.handlerDone = true
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(nil)
		_, _ = w.writeBody(w.pre)
	}
	if w.chunked {
		_, _ = w.hc.writer().WriteString("0\r\n\r\n")
	}
	if bodyAllowedForStatus(w.status) && !w.head && w.length >= 0 && w.written < w.length {
		w.closeAfter = true // the client waits for bytes that will never come
	}
	return w.hc.cw.err
}

// writeBody sends body bytes in the chosen framing.
func (w *response) writeBody(p []byte) (int, error) {
	var err error
	if w.length >= 0 && w.written+int64(len(p)) > w.length {
		p, err = p[:w.length-w.written], http.ErrContentLength
	}
	w.written += int64(len(p))
	if w.head || len(p) == 0 {
		return len(p), err
	}
	bw := w.hc.writer()
	if w.chunked {
		_, _ = bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		_, _ = bw.WriteString("\r\n")
	}
	if _, werr := bw.Write(p); werr != nil {
		return 0, werr
	}
	if w.chunked {
		_, _ = bw.WriteString("\r\n")
	}
	return len(p), err
}

// commit chooses the framing and writes the status line and header. next is the
// body about to be written after pre, for sniffing the content type.
func (w *response) commit(next []byte) {
	w.committed = true
	h := w.header
	bodyOK := bodyAllowedForStatus(w.status)
	h.Del("Transfer-Encoding") // the framing is the server's to choose
	if v := h.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			w.length = n
		} else {
			h.Del("Content-Length")
		}
	}
	setLength := false
	switch {
	case !bodyOK || w.length >= 0:
	case w.handlerDone && (!w.head || len(w.pre) > 0):
		w.length, setLength = int64(len(w.pre)), true
	case w.head:
	case w.req.ProtoAtLeast(1, 1):
		w.chunked = true
	default: // HTTP/1.0 has no chunks: the body ends when the connection does
		w.closeAfter = true
	}
	bw := w.hc.writer()
	writeStatusLine(bw, w.status)
	_ = h.Write(bw)
	if _, ok := h["Date"]; !ok {
		_, _ = bw.Write(w.hc.clock.date())
	}
	if _, ok := h["Content-Type"]; !ok && bodyOK {
		if sample := w.sniffSample(next); len(sample) > 0 {
			_, _ = bw.WriteString("Content-Type: " + http.DetectContentType(sample) + "\r\n")
		}
	}
	if setLength {
		_, _ = bw.WriteString("Content-Length: " + strconv.FormatInt(w.length, 10) + "\r\n")
	}
	if w.chunked {
		_, _ = bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	w.writeConnection(bw)
	_, _ = bw.WriteString("\r\n")
}

// writeConnection decides whether the connection stays open after this response
// and says so in a Connection field when the client would not assume it.
func (w *response) writeConnection(bw interface{ WriteString(string) (int, error) }) {
	hasClose := hasToken(w.header["Connection"], "close")
	w.closeAfter = w.closeAfter || wantsClose(w.req) || hasClose
	switch {
	case w.closeAfter && !hasClose:
		_, _ = bw.WriteString("Connection: close\r\n")
	case !w.closeAfter && !w.req.ProtoAtLeast(1, 1) && !hasToken(w.header["Connection"], "keep-alive"):
		_, _ = bw.WriteString("Connection: keep-alive\r\n")
	}
}

// sniffSample is the start of the body: pre, then next, up to sniffLen bytes.
func (w *response) sniffSample(next []byte) []byte {
	if len(w.pre) >= sniffLen || len(next) == 0 {
		return w.pre
	}
	n := min(sniffLen-len(w.pre), len(next))
	return append(append(make([]byte, 0, len(w.pre)+n), w.pre...), next[:n]...)
}

// bodyAllowedForStatus reports whether a response with this status may have a
// body (RFC 9110 section 6.4.1).
func bodyAllowedForStatus(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// hasToken reports whether a comma-separated header field has token, ignoring case.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// wantsClose is net/http's server rule for whether a request asks for the
// connection to be closed after its response: when its first Connection line
// has the word close, or any Connection line the token close (as
// http.ReadRequest reads Request.Close: "Connection: te" then "Connection:
// close" is a close), and for HTTP/1.0 unless its first Connection line has the
// word keep-alive. A word has space, comma or tab around it, unlike a token of
// the comma list ("keep-alive 0" after an obs-fold is keep-alive to the server,
// not to ReadRequest): the differential test holds us to the server. One
// divergence: an HTTP/1.0 request with both keep-alive and close is closed
// after its response, as RFC 9112 (9.6) has a server do for any close; net/http
// keeps it open when its first Connection line says keep-alive.
func wantsClose(r *http.Request) bool {
	c := r.Header.Get("Connection")
	return hasWord(c, "close") || httpguts.HeaderValuesContainsToken(r.Header["Connection"], "close") ||
		!r.ProtoAtLeast(1, 1) && !hasWord(c, "keep-alive")
}

// hasWord reports whether word (lower case) appears in v, in any case, between
// boundaries: the start or end of v, a space, a comma or a tab.
func hasWord(v, word string) bool {
	for i := 0; i+len(word) <= len(v); i++ {
		if (i == 0 || isWordBoundary(v[i-1])) &&
			(i+len(word) == len(v) || isWordBoundary(v[i+len(word)])) &&
			strings.EqualFold(v[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

func isWordBoundary(b byte) bool { return b == ' ' || b == ',' || b == '\t' }

// connWriter writes to a protocol.Conn and keeps the first error, so that a handler that
// ignores a failed write cannot hide it from Received.
type connWriter struct {
	conn protocol.Conn
	err  error
}

func (w *connWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.conn.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}
