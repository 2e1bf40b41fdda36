package web

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
)

// FuzzHTTPFraming feeds arbitrary bytes to the http behavior twice: whole, and
// cut into chunks whose sizes come from cuts. The invariants: no panic escapes
// Received; both deliveries give the same responses (but for "100 Continue",
// which depends on when a body arrives), the same error category and the same
// close; and the output parses as one well-framed response per request served.
// The seed corpus is in testdata/fuzz/FuzzHTTPFraming.
func FuzzHTTPFraming(f *testing.F) {
	f.Add([]byte(req("GET / HTTP/1.1", "Host: x")+req("HEAD / HTTP/1.1", "Host: x")), []byte{3, 20})
	f.Add([]byte(req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")+"3\r\nabc\r\n0\r\n\r\n"), []byte{40, 1, 1})
	f.Add([]byte(req("POST / HTTP/1.1", "Host: x", "Content-Length: 3", "Expect: 100-continue")+"abc"), []byte{50})
	o := Options{MaxBody: 64, MaxHeaderBytes: 256}
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		whole := runFramed(t, o, [][]byte{in})
		split := runFramed(t, o, chunksOf(in, cuts))
		if whole.out != split.out || whole.category != split.category || whole.closed != split.closed {
			t.Fatalf("whole and split deliveries differ:\nwhole: %s %v %q\nsplit: %s %v %q",
				whole.category, whole.closed, whole.out, split.category, split.closed, split.out)
		}
		replies := parseReplies(t, []byte(whole.raw), whole.methods...)
		served := len(whole.methods)
		if len(replies) < served || len(replies) > served+1 { // +1: an error reply
			t.Fatalf("%d responses for %d requests served:\n%s", len(replies), served, whole.raw)
		}
	})
}

// framedRun is what one delivery of the fuzz input produced.
type framedRun struct {
	raw      string   // the output
	out      string   // the output without 100 Continue
	category string   // of the error Received returned
	closed   bool     // protocol.Conn.Close was called
	methods  []string // of the requests the handler served, in order
}

func runFramed(t *testing.T, o Options, chunks [][]byte) framedRun {
	var run framedRun
	inner := testHandler()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		run.methods = append(run.methods, r.Method)
		if r.URL.Path == "/panic" { // a restart would make the run depend on the cuts
			fmt.Fprintf(w, "no panic")
			return
		}
		r.URL.Path = fmt.Sprintf("%q", r.URL.Path) // no raw CR LF in bodies
		inner.ServeHTTP(w, r)
	})
	hc, fc := newTestConn(h, o)
	err := feed(hc, fc, chunks...)
	run.raw = fc.out.String()
	run.out = string(bytes.ReplaceAll(fc.out.Bytes(), []byte("HTTP/1.1 100 Continue\r\n\r\n"), nil))
	run.category, run.closed = categoryOf(err), fc.closed
	return run
}

// chunksOf cuts in into chunks of the sizes in cuts (each byte plus one), the
// last chunk taking the rest.
func chunksOf(in, cuts []byte) [][]byte {
	var chunks [][]byte
	for _, c := range cuts {
		n := int(c) + 1
		if n >= len(in) {
			break
		}
		chunks, in = append(chunks, in[:n]), in[n:]
	}
	return append(chunks, in)
}
