package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHTTPRequests is the request side's contract: for each input, the statuses
// answered in order, whether the connection is closed after them, and the
// category of the error Received returns.
func TestHTTPRequests(t *testing.T) {
	get := req("GET /a HTTP/1.1", "Host: x")
	small := Options{MaxBody: 10, MaxHeaderBytes: 200}
	tests := []struct {
		name     string
		in       string
		o        Options
		methods  []string
		statuses []int
		closed   bool
		category string
		body0    string // when set, the first body
	}{
		{"one GET", get, Options{}, nil, []int{200}, false, "none",
			`GET /a HTTP/1.1 body="" trailer=""`},
		{"pipelined", get + req("GET /b HTTP/1.1", "Host: x") + get, Options{}, nil,
			[]int{200, 200, 200}, false, "none", ""},
		{"stray CRLF after a GET is refused, as net/http does", get + "\r\n" + get, Options{}, nil,
			[]int{200, 400}, true, "BadRequest+lost", ""},
		{"stray CRLF after a POST is skipped", req("POST /p HTTP/1.1", "Host: x", "Content-Length: 1") + "a\r\n" + get,
			Options{}, []string{"POST"}, []int{200, 200}, false, "none", ""},
		{"fewer than 4 bytes after a request wait, as net/http waits", get + "\n\n", Options{}, nil,
			[]int{200}, false, "none", ""},
		{"one CR or LF skipped after a POST, then 4 bytes are not waited for again",
			req("POST /p HTTP/1.1", "Host: x", "Content-Length: 1") + "a\n0\n\n", Options{}, []string{"POST"},
			[]int{200, 400}, true, "BadRequest+lost", ""},
		{"blank line before the first request", "\r\n" + get, Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"bare LF line ends", "GET /a HTTP/1.1\nHost: x\n\n", Options{}, nil, []int{200}, false, "none", ""},
		{"Content-Length body", req("POST /p HTTP/1.1", "Host: x", "Content-Length: 5") + "hello",
			Options{}, nil, []int{200}, false, "none", `POST /p HTTP/1.1 body="hello" trailer=""`},
		{"chunked body with trailer",
			req("POST /p HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "3\r\nhel\r\n2\r\nlo\r\n0\r\nX-T: t\r\n\r\n",
			Options{}, nil, []int{200}, false, "none", `POST /p HTTP/1.1 body="hello" trailer="t"`},
		{"HEAD", req("HEAD / HTTP/1.1", "Host: x"), Options{}, []string{"HEAD"}, []int{200}, false, "none", ""},
		{"HTTP/1.0 closes", req("GET / HTTP/1.0"), Options{}, nil, []int{200}, true, "none", ""},
		{"HTTP/1.0 keep-alive", req("GET / HTTP/1.0", "Connection: keep-alive") + req("GET / HTTP/1.0"),
			Options{}, nil, []int{200, 200}, true, "none", ""},
		{"Connection: close stops the pipeline", req("GET / HTTP/1.1", "Host: x", "Connection: close") + get,
			Options{}, nil, []int{200}, true, "none", ""},
		{"handler sets Connection: close", req("GET /close HTTP/1.1", "Host: x") + get,
			Options{}, nil, []int{200}, true, "none", ""},
		{"short Content-Length closes", req("GET /short HTTP/1.1", "Host: x") + get,
			Options{}, nil, []int{200}, true, "none", ""},
		{"malformed", "NOT HTTP AT ALL\r\n\r\n", Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"bad header line", req("GET / HTTP/1.1", "Host: x", "no colon"), Options{}, nil,
			[]int{400}, true, "BadRequest+lost", ""},
		{"missing Host", req("GET / HTTP/1.1"), Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"answered before the bad one", get + "BAD\r\n\r\n", Options{}, nil, []int{200, 400}, true, "BadRequest+lost", ""},
		{"bad chunk", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "zz\r\n\r\n",
			Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"unknown transfer coding", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: gzip"),
			Options{}, nil, []int{501}, true, "BadRequest+lost", ""},
		{"chunked, identity", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked, identity"),
			Options{}, nil, []int{501}, true, "BadRequest+lost", ""},
		{"two Transfer-Encoding fields", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
			Options{}, nil, []int{501}, true, "BadRequest+lost", ""},
		{"Transfer-Encoding ignored in HTTP/1.0", req("POST / HTTP/1.0", "Transfer-Encoding: gzip", "Content-Length: 1") + "a",
			Options{}, []string{"POST"}, []int{200}, true, "none", ""},
		{"space before the colon of Content-Length", req("POST / HTTP/1.1", "Host: x", "Content-Length : 3") + "abc",
			Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"space before the colon of Transfer-Encoding", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding : chunked"),
			Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"invalid Host", req("GET / HTTP/1.1", "Host: a b"), Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"two Host fields", req("GET / HTTP/1.1", "Host: a", "Host: b"), Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"empty Host is allowed", req("GET / HTTP/1.1", "Host:"), Options{}, nil, []int{200}, false, "none", ""},
		{"absolute form still needs Host", req("GET http://x/ HTTP/1.1"), Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"absolute form with a bad Host", req("GET http://x/ HTTP/1.1", "Host: a b"), Options{}, nil,
			[]int{400}, true, "BadRequest+lost", ""},
		{"absolute form", req("GET http://x/ HTTP/1.1", "Host: y"), Options{}, nil, []int{200}, false, "none", ""},
		{"HTTP/1.0 needs no Host", req("GET / HTTP/1.0"), Options{}, nil, []int{200}, true, "none", ""},
		{"unknown expectation", req("PUT / HTTP/1.1", "Host: x", "Expect: teapot", "Content-Length: 1") + "a",
			Options{}, nil, []int{417}, true, "BadRequest+lost", ""},
		{"100-continue found as net/http finds it", req("GET / HTTP/1.1", "Host: x", "Expect: 100-continue 0"),
			Options{}, nil, []int{200}, false, "none", ""},
		{"HTTP/1.2 is HTTP/1.x", req("GET / HTTP/1.2", "Host: x"), Options{}, nil, []int{200}, false, "none", ""},
		{"chunk size overflow", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "fffffffffffffffff\r\n",
			Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"chunk line with bare LF", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "1\na\r\n0\r\n\r\n",
			Options{}, nil, []int{400}, true, "BadRequest+lost", ""},
		{"no limits with zero options", req("POST / HTTP/1.1", "Host: x", "Content-Length: 20") + strings.Repeat("a", 20),
			Options{MaxBody: -1, MaxHeaderBytes: -1}, []string{"POST"}, []int{200}, false, "none", ""},
		{"HTTP/2.0", req("GET / HTTP/2.0", "Host: x"), Options{}, nil, []int{505}, true, "BadRequest+lost", ""},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Options{}, nil, []int{505}, true, "BadRequest+lost", ""},
		{"head over limit", req("GET / HTTP/1.1", "Host: x", "X: "+strings.Repeat("a", 300)), small, nil,
			[]int{431}, true, "TooLarge+lost", ""},
		{"unfinished head over limit", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 300), small, nil,
			[]int{431}, true, "TooLarge+lost", ""},
		{"Content-Length over max-body", req("POST / HTTP/1.1", "Host: x", "Content-Length: 11"), small, nil,
			[]int{413}, true, "TooLarge+lost", ""},
		{"chunked over max-body", req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "b\r\nhello world\r\n0\r\n\r\n",
			small, nil, []int{413}, true, "TooLarge+lost", ""},
		{"panic", req("GET /panic HTTP/1.1", "Host: x"), Options{}, nil, []int{500}, false, "Internal", ""},
		{"panic with a pipelined request after it", req("GET /panic HTTP/1.1", "Host: x") + get,
			Options{}, nil, []int{500}, false, "Internal", ""},
		{"incomplete head waits", "GET / HTTP/1.1\r\nHost: x\r\n", Options{}, nil, nil, false, "none", ""},
		{"incomplete body waits", req("POST / HTTP/1.1", "Host: x", "Content-Length: 5") + "hel",
			Options{}, nil, nil, false, "none", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, fc := newTestConn(testHandler(), tt.o)
			err := feed(hc, fc, []byte(tt.in))
			if got := categoryOf(err); got != tt.category {
				t.Errorf("error = %v (%s); want %s", err, got, tt.category)
			}
			if fc.closed != tt.closed {
				t.Errorf("closed = %v; want %v", fc.closed, tt.closed)
			}
			replies := parseReplies(t, fc.out.Bytes(), tt.methods...)
			var statuses []int
			for _, r := range replies {
				statuses = append(statuses, r.status)
			}
			if fmt.Sprint(statuses) != fmt.Sprint(tt.statuses) {
				t.Fatalf("statuses = %v; want %v; output:\n%s", statuses, tt.statuses, fc.out.Bytes())
			}
			if tt.body0 != "" && replies[0].body != tt.body0 {
				t.Errorf("body = %q; want %q", replies[0].body, tt.body0)
			}
			if last := len(replies) - 1; tt.closed && last >= 0 && !replies[last].close && !replies[last].truncated {
				t.Errorf("last response lacks Connection: close; output:\n%s", fc.out.Bytes())
			}
		})
	}
}

// TestHTTPSplitEverywhere ensures that pipelined requests, including bodies in
// both framings, get byte-for-byte the same responses however their bytes are
// split: at every single boundary, and one byte at a time.
func TestHTTPSplitEverywhere(t *testing.T) {
	in := []byte(req("GET /a HTTP/1.1", "Host: x") +
		req("POST /p HTTP/1.1", "Host: x", "Content-Length: 5") + "hello" +
		"\r\n" +
		req("POST /c HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") + "3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" +
		req("HEAD /h HTTP/1.1", "Host: x") +
		"GET /lf HTTP/1.1\nHost: x\n\n" +
		req("GET /stream?n=5000 HTTP/1.1", "Host: x"))
	whole, fw := newTestConn(testHandler(), Options{})
	if err := feed(whole, fw, in); err != nil {
		t.Fatalf("whole input: %v", err)
	}
	want := fw.out.String()
	if n := len(parseReplies(t, fw.out.Bytes(), "GET", "POST", "POST", "HEAD")); n != 6 {
		t.Fatalf("%d responses; want 6:\n%s", n, want)
	}
	check := func(name string, chunks [][]byte) {
		hc, fc := newTestConn(testHandler(), Options{})
		if err := feed(hc, fc, chunks...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := fc.out.String(); got != want {
			t.Fatalf("%s: output differs from the unsplit input's:\n%s\nwant:\n%s", name, got, want)
		}
		if len(hc.buf) != 0 || hc.pending != nil {
			t.Fatalf("%s: %d bytes left over", name, len(hc.buf))
		}
	}
	for i := 1; i < len(in); i++ {
		check(fmt.Sprintf("split at %d", i), splitAt(in, i))
	}
	var bytewise [][]byte
	for i := range in {
		bytewise = append(bytewise, in[i:i+1])
	}
	check("byte by byte", bytewise)
}

// TestHTTPOneWritePerBatch ensures the responses to a pipelined batch leave in
// one write, not one per response.
func TestHTTPOneWritePerBatch(t *testing.T) {
	hc, fc := newTestConn(testHandler(), Options{})
	batch := strings.Repeat(req("GET / HTTP/1.1", "Host: x"), 20)
	if err := feed(hc, fc, []byte(batch)); err != nil {
		t.Fatal(err)
	}
	if fc.writes != 1 {
		t.Errorf("%d writes for 20 pipelined responses; want 1", fc.writes)
	}
}

// TestHTTPDeadlines ensures net/http's deadlines: the first head within the
// header timeout of the connection's start, a later head within it of its first
// byte (trickling does not extend it), a body earning more time with each
// chunk, and the next request's first byte within the keep-alive timeout of the
// last response, the connection idle meanwhile.
func TestHTTPDeadlines(t *testing.T) {
	o := Options{HeaderTimeout: time.Second, KeepAliveTimeout: 5 * time.Second}
	hc, fc := newTestConn(testHandler(), o)
	check := func(what string, want time.Time, idle bool) {
		t.Helper()
		if !fc.deadline.Equal(want) {
			t.Fatalf("%s: deadline = %v; want %v", what, fc.deadline, want)
		}
		if fc.idle != idle {
			t.Fatalf("%s: idle = %v; want %v", what, fc.idle, idle)
		}
	}
	step := func(what, in string, want time.Time, idle bool) {
		t.Helper()
		if err := feed(hc, fc, []byte(in)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		check(what, want, idle)
	}
	check("a new connection", testTime.Add(time.Second), true)
	hc.clock.fixed = testTime.Add(500 * time.Millisecond)
	step("first byte of the first head", "G", testTime.Add(time.Second), false)
	step("more of the head", "ET / HTTP/1.1\r\n", testTime.Add(time.Second), false)
	step("head done, body pending", "Host: x\r\nContent-Length: 4\r\n\r\nab", testTime.Add(1500*time.Millisecond), false)
	step("request done", "cd", testTime.Add(5500*time.Millisecond), true)
	hc.clock.fixed = testTime.Add(time.Hour)
	step("a complete request and the start of the next", req("GET / HTTP/1.1", "Host: x")+"GE",
		testTime.Add(time.Hour+time.Second), false)
	step("the rest of it", "T / HTTP/1.1\r\nHost: x\r\n\r\n", testTime.Add(time.Hour+5*time.Second), true)

	hc, fc = newTestConn(testHandler(), Options{HeaderTimeout: -1, KeepAliveTimeout: -1})
	check("a new connection, no timeouts", time.Time{}, true)
	step("a partial head, no timeouts", "GET / HTTP/1.1\r\n", time.Time{}, false)
	step("its end, no timeouts", "Host: x\r\n\r\n", time.Time{}, true)
}

// TestHTTPTimedOut ensures a peer that misses the deadline mid-request gets 408,
// and an idle keep-alive connection is closed without one.
func TestHTTPTimedOut(t *testing.T) {
	hc, fc := newTestConn(testHandler(), Options{})
	hc.TimedOut()
	if fc.out.Len() != 0 {
		t.Errorf("idle connection got %q; want nothing", fc.out.String())
	}
	_ = feed(hc, fc, []byte("GET / HTTP/1.1\r\n"))
	hc.TimedOut()
	if r := parseReplies(t, fc.out.Bytes()); len(r) != 1 || r[0].status != http.StatusRequestTimeout {
		t.Errorf("output %q; want one 408", fc.out.String())
	}
}

// TestHTTPExpectContinue ensures a client that waits for "100 Continue" gets it
// once, before its body, and then the response.
func TestHTTPExpectContinue(t *testing.T) {
	hc, fc := newTestConn(testHandler(), Options{})
	head := req("PUT /u HTTP/1.1", "Host: x", "Content-Length: 2", "Expect: 100-continue")
	if err := feed(hc, fc, []byte(head)); err != nil {
		t.Fatal(err)
	}
	if got := fc.out.String(); got != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("after the head: %q; want 100 Continue", got)
	}
	_ = feed(hc, fc, []byte("o"), []byte("k"))
	if r := parseReplies(t, fc.out.Bytes(), "PUT"); len(r) != 1 || !strings.Contains(r[0].body, `body="ok"`) {
		t.Fatalf("output %q; want 100 then the response", fc.out.String())
	}
}

// TestHTTPWriteFailure ensures a failed write fails Received with its category.
func TestHTTPWriteFailure(t *testing.T) {
	hc, fc := newTestConn(testHandler(), Options{})
	fc.failAt = 1
	err := feed(hc, fc, []byte(req("GET / HTTP/1.1", "Host: x")))
	if got := categoryOf(err); got != "ConnectionFailed" {
		t.Errorf("error = %v (%s); want ConnectionFailed", err, got)
	}
}

// TestHTTPBufferKept ensures a partial request survives the reuse of the reader's
// buffer between calls (feed overwrites it).
func TestHTTPBufferKept(t *testing.T) {
	hc, fc := newTestConn(testHandler(), Options{})
	in := []byte(req("POST /p HTTP/1.1", "Host: x", "Content-Length: 3") + "xyz")
	if err := feed(hc, fc, splitAt(in, 10, 20, len(in)-1)...); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(fc.out.Bytes(), []byte(`body="xyz"`)) {
		t.Errorf("output %q; want the body xyz", fc.out.String())
	}
}

// TestHTTPPanicHandsBackRest ensures a handler panic with pipelined requests
// behind it answers 500, keeps the connection, and hands the rest back through
// Unread, so that the restarted behavior answers them in order.
func TestHTTPPanicHandsBackRest(t *testing.T) {
	rest := req("GET /b HTTP/1.1", "Host: x") + "GET /c HT"
	hc, fc := newTestConn(testHandler(), Options{})
	err := feed(hc, fc, []byte(req("GET /a HTTP/1.1", "Host: x")+req("GET /panic HTTP/1.1", "Host: x")+rest))
	if got := categoryOf(err); got != "Internal" {
		t.Fatalf("error = %v (%s); want Internal", err, got)
	}
	if fc.closed {
		t.Errorf("closed after a panic; want the connection kept")
	}
	if string(fc.unread) != rest {
		t.Fatalf("unread = %q; want %q", fc.unread, rest)
	}
	opts := testOptions(Options{})
	fresh := newHTTPConn(fc, testHandler(), &opts)
	fresh.clock.fixed = testTime
	if err := feed(fresh, fc, fc.unread, []byte("TP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range parseReplies(t, fc.out.Bytes()) {
		paths = append(paths, fmt.Sprint(r.status, " ", strings.Fields(r.body + " ?")[1]))
	}
	if got, want := fmt.Sprint(paths), "[200 /a 500 Internal 200 /b 200 /c]"; got != want {
		t.Errorf("responses = %s; want %s", got, want)
	}
}
