package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"

	"async_server/logs"
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

// leadingBlankLines is how many CR and LF bytes net/http's server skips before
// the request after a POST (old clients send a stray CRLF after its body): those
// among the next 4 bytes. Elsewhere a blank line before a request is refused, as
// net/http refuses it.
func leadingBlankLines(b []byte) int {
	n := 0
	for n < len(b) && n < 4 && (b[n] == '\r' || b[n] == '\n') {
		n++
	}
	return n
}

// parseHead parses a complete head with http.ReadRequest and applies the checks
// net/http's server makes after it (conn.readRequest in net/http/server.go), in
// its order. On failure it returns the status to answer.
func (h *httpConn) parseHead(head []byte) (*http.Request, int, error) {
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(bytes.NewReader(head))
	req, err := http.ReadRequest(br)
	br.Reset(nil)
	switch {
	case err != nil && isUnsupportedTE(err):
		return nil, http.StatusNotImplemented, errUnsupportedTE
	case err != nil:
		return nil, http.StatusBadRequest, err
	case req.ProtoMajor != 1:
		return nil, http.StatusHTTPVersionNotSupported, errUnsupportedVersion
	}
	if status, err := checkHeader(req, head); err != nil {
		return nil, status, err
	}
	return req, 0, nil
}

// checkHeader makes the checks net/http's server makes on a parsed head: a
// Host field where HTTP/1.1 requires one, a valid Host, valid field names and
// values (a name such as "Content-Length " would otherwise be ignored for
// framing: request smuggling behind a lenient proxy), and an Expect it can meet.
func checkHeader(req *http.Request, head []byte) (int, error) {
	host, haveHost := hostField(req, head)
	if req.ProtoAtLeast(1, 1) && !haveHost && req.Method != "CONNECT" {
		return http.StatusBadRequest, errMissingHost
	}
	if haveHost && !httpguts.ValidHostHeader(host) {
		return http.StatusBadRequest, errBadHost
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return http.StatusBadRequest, errBadHeaderName
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return http.StatusBadRequest, errBadHeaderValue
			}
		}
	}
	if e := req.Header.Get("Expect"); e != "" && !containsToken(e, "100-continue") {
		return http.StatusExpectationFailed, errExpectation
	}
	return 0, nil
}

// hostField returns the value of the head's Host field and whether it has one.
// http.ReadRequest has refused two, and removed the field from req.Header: its
// value is in req.Host unless the request line names a host (absolute form),
// which then wins. So the field is looked for in the raw head, and parsed again
// only in the rare absolute form.
func hostField(req *http.Request, head []byte) (string, bool) {
	found := hasField(head, "host:")
	if !found || req.URL.Host == "" {
		return req.Host, found
	}
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(head)))
	if _, err := tp.ReadLine(); err != nil {
		return "", true
	}
	h, _ := tp.ReadMIMEHeader()
	return h.Get("Host"), true
}

// hasField reports whether a line of head starts with name (lower case, its
// colon included), in any case.
func hasField(head []byte, name string) bool {
	for line := range bytes.Lines(head) {
		if len(line) >= len(name) && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return true
		}
	}
	return false
}

// lengthAndChunked reports whether a request has both a Transfer-Encoding and
// a Content-Length field (http.ReadRequest has dropped the latter from
// req.Header: the raw head says). RFC 9112 (6.1) has the server answer it by
// the Transfer-Encoding and then close the connection, since a proxy in
// front may have framed it by the Content-Length (request smuggling);
// net/http keeps it open.
func lengthAndChunked(req *http.Request, head []byte) bool {
	return len(req.TransferEncoding) > 0 && hasField(head, "content-length:")
}

// isUnsupportedTE reports whether ReadRequest refused the request's
// Transfer-Encoding (anything but a single "chunked" in HTTP/1.1), which
// net/http's server answers 501. net/http does not export that error's type;
// this is the same type test it makes (isUnsupportedTEError), by the type's
// name. TestUnsupportedTEType fails if a Go release renames it.
func isUnsupportedTE(err error) bool {
	return fmt.Sprintf("%T", err) == "*http.unsupportedTEError"
}

// expectsContinue reports whether the client waits for "100 Continue" before it
// sends the body (net/http's rule).
func expectsContinue(req *http.Request) bool {
	return req.ProtoAtLeast(1, 1) && req.ContentLength != 0 &&
		containsToken(req.Header.Get("Expect"), "100-continue")
}

// containsToken reports whether v holds token, ignoring case, between
// boundaries (space, comma, tab, or either end): net/http's hasToken, which
// decides on Expect; "100-continue 0" holds "100-continue".
func containsToken(v, token string) bool {
	boundary := func(b byte) bool { return b == ' ' || b == ',' || b == '\t' }
	for sp := 0; sp+len(token) <= len(v); sp++ {
		end := sp + len(token)
		if (sp == 0 || boundary(v[sp-1])) && (end == len(v) || boundary(v[end])) &&
			strings.EqualFold(v[sp:end], token) {
			return true
		}
	}
	return false
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

// clock tells the time and the Date header. Tests set fixed to make responses
// byte-for-byte reproducible.
type clock struct {
	fixed time.Time // when not zero, the time it always reports
}

func (c *clock) now() time.Time {
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now()
}

// dateLine is the Date header line of the current second, shared by every
// connection: formatted once a second rather than once a response, and not
// kept by each idle connection.
var dateLine atomic.Pointer[stampedLine]

// stampedLine is a Date header line and the second it is for; never changed
// once stored.
type stampedLine struct {
	sec  int64
	line []byte // "Date: ...\r\n"
}

// date returns the Date header line for now.
func (c *clock) date() []byte {
	if !c.fixed.IsZero() {
		return formatDate(c.fixed)
	}
	t := time.Now()
	if d := dateLine.Load(); d != nil && d.sec == t.Unix() {
		return d.line
	}
	d := &stampedLine{sec: t.Unix(), line: formatDate(t)}
	dateLine.Store(d)
	return d.line
}

func formatDate(t time.Time) []byte {
	return append(append([]byte("Date: "), t.UTC().Format(http.TimeFormat)...), "\r\n"...)
}

type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// Why the server refused a request: the text of its error reply and the cause
// of the connection's failure in the log.
var (
	errHeaderTooLarge     = errors.New("request header fields too large")
	errBodyTooLarge       = errors.New("request body too large")
	errHeaderTimeout      = errors.New("request not received within the header timeout")
	errBodyTimeout        = errors.New("request body not received in time")
	errUnsupportedVersion = errors.New("unsupported HTTP version")
	errMissingHost        = errors.New("missing required Host header")
	errBadHost            = errors.New("malformed Host header")
	errBadHeaderName      = errors.New("invalid header name")
	errBadHeaderValue     = errors.New("invalid header value")
	errExpectation        = errors.New("expectation failed")
	errUnsupportedTE      = errors.New("unsupported transfer encoding")
	errLongTrailer        = errors.New("suspiciously long trailer after chunked body")
	errMalformed          = errors.New("malformed request")
	errHandlerPanic       = errors.New("the handler failed")
)

// malformedError is a parser's refusal of a request. Its detail may quote a
// megabyte of input, so it is capped; the reply says only "malformed request".
type malformedError struct{ detail string }

func (e *malformedError) Error() string        { return "malformed request: " + e.detail }
func (e *malformedError) Is(target error) bool { return target == errMalformed }

func malformed(err error) error { return &malformedError{capText(err.Error())} }

// isOwnError reports whether err is one of this behavior's own reasons, whose
// text is safe to send and to log.
func isOwnError(err error) bool {
	for _, own := range []error{errMissingHost, errBadHost, errBadHeaderName, errBadHeaderValue,
		errExpectation, errUnsupportedTE, errUnsupportedVersion, errLongTrailer, errHeaderTimeout, errBodyTimeout} {
		if err == own {
			return true
		}
	}
	return false
}

// maxLogText is the most of a client-controlled text (a parser's error quoting
// the request line, a panic value) the behavior puts in a log field or an error:
// enough to see what was sent, too little to amplify a megabyte of input into
// the log.
const maxLogText = 256

// capText returns s cut to maxLogText bytes, marked as the log marks a cut.
func capText(s string) string { return logs.Cut(s, maxLogText) }
