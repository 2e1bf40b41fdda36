package behaviors

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"async_server/supervision"
)

// This file finds where requests start and end in the received bytes (and holds
// the request body type and the reasons a request is refused). The grammar
// is net/http's: http.ReadRequest parses each head and httputil's chunked reader
// decodes chunked bodies. What is here only decides when enough bytes have arrived
// to call them, so that a partial request costs one scan of its bytes, not a
// parse per chunk.

// blankLineEnd returns the index just past the first blank line ("\n\n" or
// "\n\r\n": the end of a head or of a chunked body's trailer) in b, searching
// from from; -1 if there is none yet.
func blankLineEnd(b []byte, from int) int {
	for i := from; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(b) && b[i] == '\n':
			return i + 1
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			return i + 2
		}
	}
	return -1
}

// leadingBlankLines counts the CR and LF bytes at the start of b: stray line ends
// between requests, which old clients send after a POST body.
func leadingBlankLines(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == '\r' || b[n] == '\n') {
		n++
	}
	return n
}

// parseHead parses a complete head with http.ReadRequest and applies the checks
// net/http's server makes after it. On failure it returns the status to answer.
func (h *httpConn) parseHead(head []byte) (*http.Request, int, error) {
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(bytes.NewReader(head))
	req, err := http.ReadRequest(br)
	br.Reset(nil)
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, err
	case req.ProtoMajor != 1:
		return nil, http.StatusHTTPVersionNotSupported, errUnsupportedVersion
	case req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != "CONNECT":
		// ReadRequest has moved Host to req.Host, so an empty Host field (legal,
		// and rare) is refused along with a missing one.
		return nil, http.StatusBadRequest, errMissingHost
	}
	return req, 0, nil
}

// body returns the body of the pending request at the start of b, and the bytes
// the whole request takes; 0 bytes means it has not all arrived.
func (h *httpConn) body(b []byte) ([]byte, int, error) {
	p := h.pending
	rest := b[p.headLen:]
	if !chunked(p.req) {
		n := int(p.req.ContentLength) // at most MaxBody: head checked it
		if len(rest) < n {
			return nil, 0, nil
		}
		return rest[:n], p.headLen + n, nil
	}
	// A chunked body ends with a blank line (after the last chunk and any
	// trailer); decode only once one has arrived.
	end := blankLineEnd(b, h.scanned)
	h.scanned = max(len(b)-2, p.headLen)
	if end < 0 {
		return nil, 0, h.checkChunkedSize(len(rest))
	}
	body, n, err := h.decodeChunked(rest)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return nil, 0, h.checkChunkedSize(len(rest))
	case errors.Is(err, errBodyTooLarge):
		return nil, 0, h.reject(http.StatusRequestEntityTooLarge, err, supervision.TooLarge)
	case err != nil:
		return nil, 0, h.reject(http.StatusBadRequest, err, supervision.BadRequest)
	}
	if err := h.checkChunkedSize(n); err != nil {
		return nil, 0, err
	}
	return body, p.headLen + n, nil
}

// checkChunkedSize bounds the encoded size of a chunked body, n bytes so far, so
// that chunk framing cannot make the buffer grow past MaxBody by much. The bound
// is applied the same way to complete and incomplete bodies, so a request gets the
// same answer however its bytes are split.
func (h *httpConn) checkChunkedSize(n int) error {
	if int64(n) > 2*h.opts.MaxBody+64<<10 {
		return h.reject(http.StatusRequestEntityTooLarge, errBodyTooLarge, supervision.TooLarge)
	}
	return nil
}

// decodeChunked decodes the chunked body and trailer at the start of b and
// returns the body and the bytes they took. The trailer's fields go to
// req.Trailer.
func (h *httpConn) decodeChunked(b []byte) ([]byte, int, error) {
	rd := bytes.NewReader(b)
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(rd)
	defer br.Reset(nil)
	body, err := io.ReadAll(io.LimitReader(httputil.NewChunkedReader(br), h.opts.MaxBody+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(body)) > h.opts.MaxBody {
		return nil, 0, errBodyTooLarge
	}
	trailer, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return nil, 0, err
	}
	if len(trailer) > 0 {
		h.pending.req.Trailer = http.Header(trailer)
	}
	return body, len(b) - rd.Len() - br.Buffered(), nil
}

func chunked(req *http.Request) bool {
	return len(req.TransferEncoding) > 0 && req.TransferEncoding[0] == "chunked"
}

// expectsContinue reports whether the client waits for "100 Continue" before it
// sends the body.
func expectsContinue(req *http.Request) bool {
	return req.ProtoAtLeast(1, 1) && req.ContentLength != 0 &&
		strings.EqualFold(req.Header.Get("Expect"), "100-continue")
}

// writeErrorResponse writes a complete plain-text error response: the status,
// and cause as its reason. The reply says "Connection: close" when the server
// closes the connection after it.
func writeErrorResponse(w *bufio.Writer, date []byte, status int, cause error, closing bool) {
	text := strconv.Itoa(status) + " " + http.StatusText(status) + ": " + cause.Error() + "\n"
	writeStatusLine(w, status)
	_, _ = w.WriteString("Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n")
	_, _ = w.Write(date)
	if closing {
		_, _ = w.WriteString("Connection: close\r\n")
	}
	_, _ = w.WriteString("Content-Length: " + strconv.Itoa(len(text)) + "\r\n\r\n" + text)
}

// writeStatusLine writes "HTTP/1.1 code text". Responses to HTTP/1.0 requests
// carry it too, as net/http's do: the version says what the server supports.
func writeStatusLine(w *bufio.Writer, code int) {
	_, _ = w.WriteString("HTTP/1.1 ")
	_, _ = w.WriteString(strconv.Itoa(code))
	_ = w.WriteByte(' ')
	text := http.StatusText(code)
	if text == "" {
		text = "status code " + strconv.Itoa(code) // as net/http says it
	}
	_, _ = w.WriteString(text)
	_, _ = w.WriteString("\r\n")
}

// clock formats the Date header, once a second rather than once a response.
// Tests set fixed to make responses byte-for-byte reproducible.
type clock struct {
	fixed time.Time // when not zero, the time it always reports
	sec   int64     // the second line was made for
	line  []byte    // "Date: ...\r\n"
}

func (c *clock) now() time.Time {
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now()
}

// date returns the Date header line for now.
func (c *clock) date() []byte {
	t := c.now()
	if s := t.Unix(); s != c.sec || c.line == nil {
		c.sec = s
		c.line = append(append(append(c.line[:0], "Date: "...), t.UTC().Format(http.TimeFormat)...), "\r\n"...)
	}
	return c.line
}

// newBody is a request body over a copy of b: the handler may keep it past the
// Received call that read it.
func newBody(b []byte) *bodyReader {
	return &bodyReader{Reader: *bytes.NewReader(bytes.Clone(b))}
}

type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// Why the server refused a request: the text of its error reply and the cause
// of the connection's failure in the log.
var (
	errHeaderTooLarge     = errors.New("request header fields too large")
	errBodyTooLarge       = errors.New("request body too large")
	errHeaderTimeout      = errors.New("request not received within the header timeout")
	errUnsupportedVersion = errors.New("unsupported HTTP version")
	errMissingHost        = errors.New("missing required Host header")
	errMalformed          = errors.New("malformed request")
	errHandlerPanic       = errors.New("the handler failed")
)
