package actors_test

import (
	"strings"
	"testing"
)

// diffCases are the hand-written inputs of the differential test: the smuggling
// forms, the request-line and header errors, and the issues fixed in the http
// behavior. div names the divergence that explains a difference ("" : none is
// allowed).
var diffCases = []struct {
	name, in, div string
}{
	{"GET", httpReq("GET / HTTP/1.1", "Host: x"), ""},
	{"pipelined", httpReq("GET /a HTTP/1.1", "Host: x") + httpReq("HEAD /b HTTP/1.1", "Host: x") +
		httpReq("GET /c HTTP/1.1", "Host: x"), ""},
	{"HTTP/1.0", httpReq("GET / HTTP/1.0"), ""},
	{"HTTP/1.0 keep-alive", httpReq("GET /a HTTP/1.0", "Connection: keep-alive") + httpReq("GET /b HTTP/1.0"), ""},
	{"HTTP/1.2", httpReq("GET / HTTP/1.2", "Host: x"), ""},
	{"HTTP/2.0 request line", httpReq("GET / HTTP/2.0", "Host: x"), ""},
	{"HTTP/0.9", "GET /\r\n\r\n", ""},
	{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "h2-preface"},
	{"HTTP/2 preface, bare LF", "PRI * HTTP/2.0\n\n0", "h2-preface"}, // found by FuzzHTTPDifferential
	{"HTTP/1.0 keep-alive folded into a longer value", // found by FuzzHTTPDifferential
		"POST /a HTTP/1.0\r\nConnection: keep-alive\r\n 00000000000000000\n\r\n000000000000000000000", "truncated"},
	{"close as a word, not a token", "0 * HTTP/1.1\nHost:\nConneCtion:0 Close\n\n", ""}, // found by FuzzHTTPDifferential
	{"Connection: close", httpReq("GET /a HTTP/1.1", "Host: x", "Connection: close") + httpReq("GET /b HTTP/1.1", "Host: x"), ""},
	{"Connection: close on a second line", httpReq("GET /a HTTP/1.1", "Host: x", "Connection: keep-alive", "Connection: close") +
		httpReq("GET /b HTTP/1.1", "Host: x"), ""},
	{"HEAD, Connection: close on a second line", httpReq("HEAD /a HTTP/1.1", "Host: x", "Connection: te", "Connection: close") +
		httpReq("GET /b HTTP/1.1", "Host: x"), ""},
	{"OPTIONS *, Connection: close on a second line", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Connection: te", "Connection: close") +
		httpReq("GET /b HTTP/1.1", "Host: x"), ""},
	{"HTTP/1.0 keep-alive and close", httpReq("GET /a HTTP/1.0", "Connection: keep-alive, close") + httpReq("GET /b HTTP/1.0"), "close-wins"},
	{"HTTP/1.0 keep-alive and close as words of one token", // found by FuzzHTTPDifferential
		httpReq("GET /a HTTP/1.0", "Connection: keep-Alive Close") + httpReq("GET /b HTTP/1.0"), "close-wins"},
	{"HTTP/1.0 keep-alive, then close on a second line", httpReq("GET /a HTTP/1.0", "Connection: keep-alive", "Connection: close") +
		httpReq("GET /b HTTP/1.0"), "close-wins"},
	{"Content-Length body", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 5") + "hello" +
		httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"chunked body", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"3\r\nabc\r\n0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"chunked with trailer", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"chunked with blank lines in the data", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"4\r\n\r\n\r\n\r\n0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"CRLF after a POST body", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 1") + "a\r\n" +
		httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"CRLF after a GET", httpReq("GET /a HTTP/1.1", "Host: x") + "\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"CRLF first", "\r\n" + httpReq("GET / HTTP/1.1", "Host: x"), ""},

	// Smuggling forms.
	{"CL and TE", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 4", "Transfer-Encoding: chunked") +
		"0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), "cl-te"},
	{"TE and CL", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Content-Length: 30") +
		"0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), "cl-te"},
	{"duplicate CL, different", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 3", "Content-Length: 5") + "abcde", ""},
	{"duplicate CL, same", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 3", "Content-Length: 3") + "abc", ""},
	{"CL list", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 3, 3") + "abc", ""},
	{"negative CL", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: -1"), ""},
	{"+5 CL", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: +5") + "hello", ""},
	{"CL with space before the colon", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length : 39") +
		httpReq("GET /smuggled HTTP/1.1", "Host: x"), ""},
	{"TE with space before the colon", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding : chunked") +
		"0\r\n\r\n" + httpReq("GET /smuggled HTTP/1.1", "Host: x"), ""},
	{"TE xchunked", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: xchunked") + "0\r\n\r\n", ""},
	{"TE chunked, identity", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked, identity") + "0\r\n\r\n", ""},
	{"TE with a tab", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding:\tchunked") + "0\r\n\r\n" +
		httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"TE twice", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked") + "0\r\n\r\n", ""},
	{"TE gzip", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: gzip") + "0\r\n\r\n", ""},
	{"TE in HTTP/1.0", httpReq("POST /p HTTP/1.0", "Transfer-Encoding: chunked", "Content-Length: 5") + "hello", ""},
	{"obs-fold", httpReq("GET / HTTP/1.1", "Host: x", "X-A: a", " b") + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"obs-fold of TE", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding:", " chunked") + "0\r\n\r\n", ""},
	{"bare LF", "GET /a HTTP/1.1\nHost: x\n\n" + "GET /b HTTP/1.1\nHost: x\n\n", ""},
	{"bare LF in a chunk line", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "3\nabc\r\n0\r\n\r\n", ""},
	{"1-byte chunks, encoded past twice -max-body", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		strings.Repeat("1\r\na\r\n", 400000) + "0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"chunk size overflow", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", ""},
	{"chunk size not hex", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "zz\r\n\r\n", ""},
	{"chunk without CRLF", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "3\r\nabcX\r\n0\r\n\r\n", ""},

	// Inputs past the fuzzer's 4 KiB: bodies at -max-body and one byte over,
	// framing past the chunked reader's limits, many requests in one write.
	{"body at -max-body", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 1048576") + strings.Repeat("a", 1<<20) +
		httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"body over -max-body", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 1048577") + strings.Repeat("a", 1<<20+1), ""},
	{"chunked at -max-body", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "100000\r\n" +
		strings.Repeat("a", 1<<20) + "\r\n0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"chunked over -max-body", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "100000\r\n" +
		strings.Repeat("a", 1<<20) + "\r\n1\r\na\r\n0\r\n\r\n", ""},
	{"chunk extension past 4 KiB", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"1;" + strings.Repeat("e", 5000) + "\r\na\r\n0\r\n\r\n", ""},
	{"trailer past 4 KiB", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"1\r\na\r\n0\r\nX: " + strings.Repeat("a", 5000) + "\r\n\r\n", ""},
	{"too much framing", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		strings.Repeat("1;"+strings.Repeat("e", 100)+"\r\na\r\n", 300) + "0\r\n\r\n", ""},
	{"500 pipelined", strings.Repeat(httpReq("GET /n HTTP/1.1", "Host: x"), 500), ""},

	// Header and Host validation (net/http's server checks after ReadRequest).
	{"no Host", httpReq("GET / HTTP/1.1"), ""},
	{"empty Host", httpReq("GET / HTTP/1.1", "Host:"), ""},
	{"two Hosts", httpReq("GET / HTTP/1.1", "Host: a", "Host: b"), ""},
	{"bad Host", httpReq("GET / HTTP/1.1", "Host: a b"), ""},
	{"absolute form without Host", httpReq("GET http://x/ HTTP/1.1"), ""},
	{"absolute form, other Host", httpReq("GET http://x/ HTTP/1.1", "Host: y"), ""},
	{"CONNECT without Host", httpReq("CONNECT x:443 HTTP/1.1"), ""},
	{"header name with a slash", httpReq("GET / HTTP/1.1", "Host: x", "X/Y: 1"), ""},
	{"header value with DEL", httpReq("GET / HTTP/1.1", "Host: x", "X: a\x7fb"), ""},
	{"header value with NUL", httpReq("GET / HTTP/1.1", "Host: x", "X: a\x00b"), ""},
	{"no colon", httpReq("GET / HTTP/1.1", "Host: x", "nocolon"), ""},
	{"Expect 100-continue", httpReq("PUT /u HTTP/1.1", "Host: x", "Expect: 100-continue", "Content-Length: 2") + "ok", ""},
	{"Expect other", httpReq("PUT /u HTTP/1.1", "Host: x", "Expect: teapot", "Content-Length: 2") + "ok", ""},

	// Request lines and targets.
	{"malformed request line", "NOT HTTP\r\n\r\n", ""},
	{"lower-case method", httpReq("get / HTTP/1.1", "Host: x"), ""},
	{"NUL in the target", httpReq("GET /a\x00b HTTP/1.1", "Host: x"), ""},
	{"%00 in the target", httpReq("GET /a%00b HTTP/1.1", "Host: x"), ""},
	{"long request line", httpReq("GET /"+strings.Repeat("a", 100<<10)+" HTTP/1.1", "Host: x"), ""},

	// The target "*": "OPTIONS *" is the server's own (net/http's globalOptionsHandler:
	// 200, empty, and close past 4 KiB of body); any other method goes to the handler.
	{"OPTIONS *", httpReq("OPTIONS * HTTP/1.1", "Host: x") + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"OPTIONS * HTTP/1.0", httpReq("OPTIONS * HTTP/1.0"), ""},
	{"OPTIONS * without Host", httpReq("OPTIONS * HTTP/1.1"), ""},
	{"OPTIONS * with a body", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 5") + "hello" +
		httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"OPTIONS * with a 4 KiB body", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 4096") +
		strings.Repeat("a", 4096) + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"OPTIONS * with a body over 4 KiB", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 4097") +
		strings.Repeat("a", 4097) + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"OPTIONS * with a chunked body over 4 KiB", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"1389\r\n" + strings.Repeat("a", 0x1389) + "\r\n0\r\n\r\n" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"OPTIONS * Expect 100-continue", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Expect: 100-continue", "Content-Length: 2") + "ok", ""},
	{"OPTIONS * Connection: close", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Connection: close") +
		httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"lower-case options *", httpReq("options * HTTP/1.1", "Host: x"), ""},
	{"OPTIONS in absolute form", httpReq("OPTIONS http://x/* HTTP/1.1", "Host: x"), ""},
	{"GET *", httpReq("GET * HTTP/1.1", "Host: x") + httpReq("GET /n HTTP/1.1", "Host: x"), ""},
	{"POST *", httpReq("POST * HTTP/1.1", "Host: x", "Content-Length: 1") + "a" + httpReq("GET /n HTTP/1.1", "Host: x"), ""},

	// Known divergences.
	{"panic", httpReq("GET /panic HTTP/1.1", "Host: x"), "panic"},
	{"panic, pipelined", httpReq("GET /a HTTP/1.1", "Host: x") + httpReq("GET /panic HTTP/1.1", "Host: x") +
		httpReq("GET /b HTTP/1.1", "Host: x"), "panic"},
	{"ends inside a head", "GET / HTTP/1.1\r\nHost: x\r\n", "truncated"},
	{"ends inside a body", httpReq("POST /p HTTP/1.1", "Host: x", "Content-Length: 10") + "abc", "truncated"},
	{"OPTIONS * ends inside its body", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 10") + "abc", "truncated"},
	{"OPTIONS * over -max-body", httpReq("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 2000000") + "abc", "max-body"},
	{"ends inside a chunked body", httpReq("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "3\r\nabc\r\n", "truncated"},
}

// TestHTTPDifferential ensures the http behavior answers every diffCases input
// as net/http's server does, but for the divergence the case names.
func TestHTTPDifferential(t *testing.T) {
	p := startDiffPair(t)
	for _, tc := range diffCases {
		ours, theirs, div, err := p.compare(t, []byte(tc.in))
		switch {
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case div != tc.div:
			t.Errorf("%s: divergence %q; want %q\nours:     %v\nnet/http: %v", tc.name, div, tc.div, ours, theirs)
		}
	}
}

// FuzzHTTPDifferential is TestHTTPDifferential over any input: our server and
// net/http's must answer alike, but for a known divergence. The seed corpus is
// diffCases and testdata/fuzz/FuzzHTTPDifferential.
func FuzzHTTPDifferential(f *testing.F) {
	for _, tc := range diffCases {
		if len(tc.in) <= maxFuzzInput {
			f.Add([]byte(tc.in))
		}
	}
	p := startDiffPair(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			t.Skip()
		}
		if _, _, _, err := p.compare(t, in); err != nil {
			t.Fatal(err)
		}
	})
}

// maxFuzzInput bounds the fuzz inputs: framing bugs show in small ones, and
// small ones keep each run to a few milliseconds.
const maxFuzzInput = 4096
