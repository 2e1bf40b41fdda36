package web

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestUnsupportedTEType ensures isUnsupportedTE still recognizes net/http's
// refusal of a transfer coding, and nothing else: it tests the error's type by
// name, which a Go release could rename.
func TestUnsupportedTEType(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: gzip"), true},
		{req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), true},
		{req("POST / HTTP/1.1", "Host: x", "Content-Length: -1"), false},
		{"NOT HTTP\r\n\r\n", false},
	}
	for _, tt := range tests {
		_, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tt.head)))
		if err == nil {
			t.Fatalf("ReadRequest(%q) accepted it", tt.head)
		}
		if got := isUnsupportedTE(err); got != tt.want {
			t.Errorf("isUnsupportedTE(%T %v) = %v; want %v", err, err, got, tt.want)
		}
	}
}

// TestHTTPCapsClientText ensures no client-controlled text reaches an error
// (and so the log) uncut: a malformed request line of 100 KB, and a panic value
// of 100 KB.
func TestHTTPCapsClientText(t *testing.T) {
	long := strings.Repeat("a", 100<<10)
	panicky := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(long) })
	tests := []struct {
		name string
		h    http.Handler
		in   string
	}{
		{"malformed request line", testHandler(), req("GE T /"+long+" HTTP/1.1", "Host: x")},
		{"panic value", panicky, req("GET / HTTP/1.1", "Host: x")},
	}
	for _, tt := range tests {
		hc, fc := newTestConn(tt.h, Options{MaxHeaderBytes: -1})
		err := feed(hc, fc, []byte(tt.in))
		if err == nil {
			t.Fatalf("%s: no error", tt.name)
		}
		if msg := err.Error(); len(msg) > 2*maxLogText || !strings.Contains(msg, "...[cut ") {
			t.Errorf("%s: error of %d bytes %q; want at most %d, marked as cut", tt.name, len(msg), msg[:min(len(msg), 600)], 2*maxLogText)
		}
		if fc.out.Len() > 1024 {
			t.Errorf("%s: a %d-byte reply; want a short one", tt.name, fc.out.Len())
		}
	}
}

// TestStaticNUL ensures a NUL in a path (sent as %00) is not found, as http.Dir
// says, rather than a server error.
func TestStaticNUL(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, release, err := staticHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	for path, want := range map[string]int{"/a": 200, "/a%00b": 404, "/%00": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d; want %d", path, rec.Code, want)
		}
	}
}

// TestChunkWalk states when the walk of a chunked body says "decode now": at
// the end of the body and trailer, or at the first framing error; never earlier.
func TestChunkWalk(t *testing.T) {
	tests := []struct {
		body string
		done bool
	}{
		{"", false},
		{"3\r\nab", false},
		{"3\r\nabc\r\n", false},
		{"4\r\n\r\n\r\n\r\n", false}, // blank lines in the data are data
		{"3\r\nabc\r\n0\r\n", false},
		{"3\r\nabc\r\n0\r\n\r\n", true},
		{"3;ext=1\r\nabc\r\n0\r\n\r\n", true},
		{"0\r\nX: y\r\n", false},
		{"0\r\nX: y\r\n\r\n", true},
		{"zz\r\n", true},                       // not hex
		{"3\nabc\r\n", true},                   // bare LF
		{"\n", true},                           // an empty line with a bare LF
		{"3\r\nabcXY", true},                   // no CRLF after the data
		{"fffffffffffffffff\r\n", true},        // 17 digits
		{"fffffffffffffff\r\n" + "abc", false}, // huge, but well formed
		{strings.Repeat("1", maxChunkLine), true},
	}
	for _, tt := range tests {
		var w chunkWalk
		if got := w.done([]byte(tt.body)); got != tt.done {
			t.Errorf("done(%.40q) = %v; want %v", tt.body, got, tt.done)
		}
		// The same bytes one at a time give the same answer.
		var bw chunkWalk
		got := false
		for i := 1; i <= len(tt.body) && !got; i++ {
			got = bw.done([]byte(tt.body[:i]))
		}
		if got != tt.done {
			t.Errorf("done(%.40q) byte by byte = %v; want %v", tt.body, got, tt.done)
		}
	}
}

// blankLineBody is a chunked request whose body has n bytes of data full of
// blank lines, the input that made decoding quadratic.
func blankLineBody(n int) []byte {
	data := strings.Repeat("ab\r\n\r\n\r\n", n/8+1)[:n]
	var b strings.Builder
	b.WriteString(req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked"))
	for len(data) > 0 {
		c := data[:min(len(data), 1000)]
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(c), c)
		data = data[len(c):]
	}
	b.WriteString("0\r\n\r\n")
	return []byte(b.String())
}

// feedSmall delivers in to a fresh behavior in 512-byte reads.
func feedSmall(tb testing.TB, in []byte) {
	hc, fc := newTestConn(http.NotFoundHandler(), Options{MaxBody: -1})
	var chunks [][]byte
	for len(in) > 0 {
		n := min(len(in), 512)
		chunks, in = append(chunks, in[:n]), in[n:]
	}
	if err := feed(hc, fc, chunks...); err != nil || !strings.Contains(fc.out.String(), "404") {
		tb.Fatalf("error %v, output %.100q; want a 404", err, fc.out.String())
	}
}

// TestChunkedLinear ensures a chunked body full of blank lines costs memory in
// proportion to its size, not to its size squared (each blank line used to
// decode the body again from its start): the bytes allocated per body byte
// stay put when the body grows eightfold. Bytes, not time: a deterministic
// measure. BenchmarkChunkedBlankLines gives the time.
func TestChunkedLinear(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random")
	}
	perByte := func(n int) float64 {
		in := blankLineBody(n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		feedSmall(t, in)
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	}
	small, large := perByte(64<<10), perByte(512<<10)
	if large > 2*small {
		t.Errorf("allocated %.1f bytes per body byte for 512 KiB, %.1f for 64 KiB; want about the same", large, small)
	}
}

// BenchmarkChunkedBlankLines measures decoding chunked bodies full of blank
// lines, delivered in 512-byte reads; ns/byte should not grow with the size.
func BenchmarkChunkedBlankLines(b *testing.B) {
	for _, n := range []int{64 << 10, 512 << 10, 4 << 20} {
		in := blankLineBody(n)
		b.Run(fmt.Sprintf("%dKiB", n>>10), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				feedSmall(b, in)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/byte")
		})
	}
}
