package actors_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// This file is the differential guard of the http behavior: the same raw bytes
// go to our server and to a net/http.Server configured alike and serving the
// same handler, and what each answers is compared: the status of every
// response, which request it answers (the handler echoes it), and whether the
// server closes after it. The known divergences, each with its reason, are the
// divergences table below; package web's documentation lists the same.

// exchange is what one server answered to one input.
type exchange []answer

// answer is one response, as compared.
type answer struct {
	status int
	echo   string // the handler's echo of the request; "" for the server's own replies
	close  bool   // the server closes the connection after it
}

func (e exchange) String() string {
	var b strings.Builder
	for _, a := range e {
		fmt.Fprintf(&b, "[%d %q close=%v] ", a.status, a.echo, a.close)
	}
	return b.String()
}

// diffHandler is what both servers serve: an echo of the request (method,
// target, version, body) with a few paths that misbehave. Its body handling
// gives net/http our -max-body (413 before the body is read, with close) and
// our refusal of a bad body (400 with close): our server does both before the
// handler runs, so for it those branches are never taken.
func diffHandler(maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		if maxBody > 0 && r.ContentLength > maxBody {
			w.Header().Set("Connection", "close")
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			w.Header().Set("Connection", "close")
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			w.Header().Set("Connection", "close")
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodHead { // so that responses parse without knowing the method
			w.Header().Set("Content-Length", "0")
			return
		}
		fmt.Fprintf(w, "%s %q %s host=%q body=%q", r.Method, r.RequestURI, r.Proto, r.Host, body)
	})
}

// diffPair is our server and net/http's, serving the same handler with the
// same limits.
type diffPair struct {
	ours, theirs string // addresses
}

// startDiffPair starts both servers; they are stopped when the test ends.
func startDiffPair(tb testing.TB) *diffPair {
	tb.Helper()
	o := web.DefaultOptions()
	h := diffHandler(o.MaxBody)
	ours := startServer(tb, func(cfg *actors.Config) {
		cfg.Protocol = web.New(h, o)
		cfg.Log.Level = "error"
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.HeaderTimeout,
		IdleTimeout:       o.KeepAliveTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0), // panics and bad requests are expected
	}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close(); <-served })
	return &diffPair{ours: ours.Addr, theirs: ln.Addr().String()}
}

// roundTrip sends in to addr, half-closes, and reads every response until the
// server closes. Responses are parsed with http.ReadResponse, so each is known
// to be complete; "100 Continue" is skipped (see the divergences).
func roundTrip(tb testing.TB, addr string, in []byte) exchange {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := c.Write(in); err != nil && !isReset(err) {
		tb.Fatalf("%s: writing: %v", addr, err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	br := bufio.NewReader(c)
	var ex exchange
	for {
		if _, err := br.Peek(1); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				tb.Fatalf("%s: still open %v after the input ended", addr, waitTimeout)
			}
			return ex // EOF or reset: the server closed
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			tb.Fatalf("%s: reading a response: %v (after %v)", addr, err, ex)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			tb.Fatalf("%s: reading a response body: %v (after %v)", addr, err, ex)
		}
		if resp.StatusCode == http.StatusContinue {
			continue
		}
		ex = append(ex, answerOf(resp, string(body)))
	}
}

// answerOf reduces a response to what is compared. A response to HTTP/1.0 says
// it stays open with "Connection: keep-alive" (net/http does not say
// "Connection: close" to HTTP/1.0 clients, which assume it).
func answerOf(resp *http.Response, body string) answer {
	a := answer{status: resp.StatusCode, close: resp.Close}
	if resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.StatusCode != http.StatusOK {
		return a // the server's own reply, or the handler's error: status only
	}
	a.echo = body
	if strings.Contains(body, " HTTP/1.0 host=") {
		a.close = !strings.EqualFold(resp.Header.Get("Connection"), "keep-alive")
	}
	return a
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne)
}

// compare sends in to both servers and returns an error unless they answered
// alike or a known divergence explains the difference.
func (p *diffPair) compare(tb testing.TB, in []byte) (ours, theirs exchange, div string, err error) {
	ours, theirs = roundTrip(tb, p.ours, in), roundTrip(tb, p.theirs, in)
	if ours.String() == theirs.String() {
		return ours, theirs, "", nil
	}
	for _, d := range divergences {
		if d.explains != nil && d.explains(in, ours, theirs) {
			return ours, theirs, d.name, nil
		}
	}
	return ours, theirs, "", fmt.Errorf("input %q:\nours:     %v\nnet/http: %v", in, ours, theirs)
}

// divergence is a known, justified difference from net/http.
type divergence struct {
	name     string
	why      string
	explains func(in []byte, ours, theirs exchange) bool // nil: not observable here
}

// divergences is the one list of where the http behavior knowingly differs from
// net/http's server. Package web's documentation repeats it.
var divergences = []divergence{
	{"panic", "a handler panic is answered 500 and the connection kept (Internal: Restart), the " +
		"requests pipelined behind it answered by the restarted behavior; net/http closes the " +
		"connection without a response",
		func(in []byte, ours, theirs exchange) bool {
			k := len(theirs)
			return bytes.Contains(in, []byte("/panic")) && len(ours) > k &&
				ours[:k].String() == theirs.String() && ours[k].status == http.StatusInternalServerError
		}},
	{"truncated", "input that ends (the client half-closes) inside a request (its head, body or " +
		"chunked trailer, which net/http refuses if its end is not buffered yet) is not answered; " +
		"net/http answers 400, or runs the handler on the part of the body that came (its own " +
		`handler of "OPTIONS *" answers 200). A request that never completed has nothing to ` +
		"answer, and the client has stopped sending",
		func(in []byte, ours, theirs exchange) bool {
			k := len(ours)
			cut, ok := truncatedRequest(in)
			if !ok || len(theirs) != k+1 || theirs[:k].String() != ours.String() {
				return false
			}
			last := theirs[k]
			return last.status >= 400 && last.close || isGlobalOptions(cut) && last.status == http.StatusOK && last.echo == ""
		}},
	{"h2-preface", `"PRI * HTTP/2.0" with no header (the HTTP/2 preface) is answered 505; net/http ` +
		"hands it to the handler, for a Hijacker to upgrade. The behavior has no Hijacker and " +
		"speaks no HTTP/2",
		func(in []byte, ours, theirs exchange) bool {
			k := len(ours) - 1
			return h2Preface.Match(in) && k >= 0 && k < len(theirs) &&
				ours[:k].String() == theirs[:k].String() && ours[k].status == http.StatusHTTPVersionNotSupported
		}},
	{"cl-te", "a request with both Content-Length and Transfer-Encoding is answered by its " +
		"Transfer-Encoding, as by net/http, and the connection then closed, as RFC 9112 (6.1) has " +
		"a server do (a proxy in front may have framed it by its Content-Length: request " +
		"smuggling); net/http keeps the connection open and answers what follows",
		func(in []byte, ours, theirs exchange) bool {
			low := bytes.ToLower(in)
			return onlyOursCloses(ours, theirs) &&
				bytes.Contains(low, []byte("\ncontent-length:")) && bytes.Contains(low, []byte("\ntransfer-encoding:"))
		}},
	{"close-wins", "an HTTP/1.0 request whose Connection lines have both keep-alive and close is " +
		"answered and the connection closed, as RFC 9112 (9.6) has a server do on any close; " +
		"net/http keeps it open when its first Connection line says keep-alive",
		func(in []byte, ours, theirs exchange) bool {
			return onlyOursCloses(ours, theirs) &&
				strings.Contains(ours[len(ours)-1].echo, " HTTP/1.0 host=") && http10KeepAliveAndClose(in)
		}},
	{"408", "a request head (or body) that misses -header-timeout is answered 408 before the " +
		"close; net/http closes without a response. A connection that sent nothing, or is idle " +
		"between requests, is closed quietly by both", nil},
	{"body-progress", "a body must make progress every -header-timeout and, after a grace of " +
		"-header-timeout from the end of its head, average at least -min-body-rate (1 KiB/s); " +
		"net/http bounds the whole request by ReadTimeout instead (none by default)", nil},
	{"max-body", "a body over -max-body is refused 413 before the handler runs (bodies are " +
		"buffered whole); net/http has no body limit unless the handler sets http.MaxBytesReader " +
		`(the differential handler does, to compare the rest), and its own handler of "OPTIONS *" ` +
		"reads 4 KiB of any body and answers 200 and close",
		func(in []byte, ours, theirs exchange) bool {
			k := len(ours) - 1
			return k >= 0 && len(theirs) == k+1 && ours[:k].String() == theirs[:k].String() &&
				ours[k] == answer{status: http.StatusRequestEntityTooLarge, close: true} &&
				theirs[k] == answer{status: http.StatusOK, close: true} && optionsOverMaxBody(in)
		}},
	{"header-slack", "-max-header-bytes is exact; net/http reads up to 4096 bytes past " +
		"MaxHeaderBytes before answering 431", nil},
	{"continue", `"100 Continue" is sent when the head has arrived without its body; net/http ` +
		"sends it when the handler first reads the body (responses are compared without it)", nil},
	{"keepalive-default", "-keepalive-timeout is 60 s by default; net/http's IdleTimeout has no " +
		"default (it falls back to ReadTimeout, none by default)", nil},
}

// onlyOursCloses reports whether the two servers answered alike but for the
// last answer's close: ours closed after it, net/http kept the connection.
func onlyOursCloses(ours, theirs exchange) bool {
	k := len(ours) - 1
	if k < 0 || len(theirs) <= k || ours[:k].String() != theirs[:k].String() {
		return false
	}
	a, b := ours[k], theirs[k]
	return a.close && !b.close && a.status == b.status && a.echo == b.echo
}

// h2Preface matches the HTTP/2 preface's first line and the blank line after it,
// with CRLF or bare LF line ends (net/http's parser takes either).
var h2Preface = regexp.MustCompile(`PRI \* HTTP/2\.0\r?\n\r?\n`)

// http10KeepAliveAndClose reports whether in has an HTTP/1.0 request head whose
// Connection lines have both keep-alive and close, as words (split at space,
// comma and tab, as both servers read them: "keep-alive close" on one line
// is both, though it is a single token of the comma list).
func http10KeepAliveAndClose(in []byte) bool {
	for _, head := range http10Head.FindAll(in, -1) {
		var words []string
		for _, m := range connectionLine.FindAllSubmatch(head, -1) {
			words = append(words, connectionWords(string(m[1]))...)
		}
		if slices.ContainsFunc(words, eqFold("keep-alive")) && slices.ContainsFunc(words, eqFold("close")) {
			return true
		}
	}
	return false
}

// connectionWords splits a Connection value into words, as the servers'
// rules do (serverCloses).
func connectionWords(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
}

// eqFold returns a test for a word equal to w in any case.
func eqFold(w string) func(string) bool {
	return func(f string) bool { return strings.EqualFold(f, w) }
}

// http10Head finds HTTP/1.0 request heads; connectionLine a head's Connection
// lines.
var (
	http10Head     = regexp.MustCompile(`(?s)[^\n]* HTTP/1\.0\r?\n.*?\r?\n\r?\n`)
	connectionLine = regexp.MustCompile(`(?im)^connection:[ \t]*([^\r\n]*)`)
)

// optionsOverMaxBody reports whether in has an "OPTIONS *" request whose
// Content-Length is over the differential servers' -max-body.
func optionsOverMaxBody(in []byte) bool {
	for _, m := range optionsLength.FindAllSubmatch(in, -1) {
		if n, err := strconv.ParseInt(string(m[1]), 10, 64); err != nil || n > web.DefaultMaxBody {
			return true // an error is a number too large for int64
		}
	}
	return false
}

// optionsLength finds the Content-Length of an "OPTIONS *" request (or of a
// later one: the caller has checked the answers too).
var optionsLength = regexp.MustCompile(`(?i)OPTIONS \* HTTP/1\.\d\r?\n(?:[^\n]*\n)*?content-length:[ \t]*(\d+)`)

// isGlobalOptions reports whether req is "OPTIONS *", which net/http's server
// answers itself (globalOptionsHandler), as the behavior does.
func isGlobalOptions(req *http.Request) bool {
	return req != nil && req.Method == http.MethodOptions && req.RequestURI == "*"
}

// serverCloses is net/http's server rule (and so the behavior's) for a request
// that asks for the connection to close: the word close in its Connection
// header, or HTTP/1.0 without the word keep-alive. Words split at space, comma
// and tab, not Request.Close's comma-separated tokens.
func serverCloses(req *http.Request) bool {
	has := func(word string) bool {
		return slices.ContainsFunc(connectionWords(req.Header.Get("Connection")), eqFold(word))
	}
	return has("close") || !req.ProtoAtLeast(1, 1) && !has("keep-alive")
}

// truncatedRequest reports whether in ends inside a request, by net/http's own
// parser and its server's rule for blank lines after a POST (a head without
// its blank line, or a body shorter than its framing says), with the request
// whose body was cut short (nil if the input ends inside a head).
func truncatedRequest(in []byte) (*http.Request, bool) {
	br := bufio.NewReaderSize(bytes.NewReader(in), len(in)+16) // all of in is buffered at once
	afterPOST := false
	for {
		if afterPOST {
			peek, _ := br.Peek(4)
			n := 0
			for n < len(peek) && (peek[n] == '\r' || peek[n] == '\n') {
				n++
			}
			_, _ = br.Discard(n)
		}
		if _, err := br.Peek(1); err != nil {
			return nil, false // the input ended between requests
		}
		rest, _ := br.Peek(br.Buffered())
		if !bytes.Contains(rest, []byte("\n\n")) && !bytes.Contains(rest, []byte("\n\r\n")) {
			return nil, true
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			return nil, false
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			// Ran out of input (io.ErrUnexpectedEOF; net/http's own error for a
			// trailer cut short; its refusal of a trailer whose end is not in its
			// buffer yet, which we wait for), or refused what it read, which
			// both servers answer.
			rest, _ := br.Peek(br.Buffered())
			return req, errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Contains(rest, []byte("\r\n\r\n"))
		}
		if serverCloses(req) {
			return nil, false
		}
		afterPOST = req.Method == http.MethodPost
	}
}
