package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// chunkedRequest is a POST whose chunked body carries size bytes of data in
// chunks of chunk bytes, cut into reads of the connection's 16 KiB; the last
// read ends the body unless whole is false, when it stops short of the last
// chunk's line.
func chunkedRequest(size, chunk int, whole bool) [][]byte {
	var b strings.Builder
	b.WriteString(req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked"))
	for left := size; left > 0; left -= chunk {
		n := min(chunk, left)
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, strings.Repeat("a", n))
	}
	if whole {
		b.WriteString("0\r\n\r\n")
	}
	in := []byte(b.String())
	var reads [][]byte
	for len(in) > 0 {
		n := min(len(in), 16<<10)
		reads, in = append(reads, in[:n]), in[n:]
	}
	return reads
}

// TestChunkedBodyHeldByData ensures a chunked body that arrives over many
// reads is held as its data, in segments, as a Content-Length body is: not
// as its encoding in a buffer grown by append. 1 MiB of data in 16-byte
// chunks (1.375 MiB encoded) held before its end must hold at most the data
// and 32 KiB (the old code held the encoding, in a buffer of 1.4 MiB), report
// that to the memory budget, and allocate at most a quarter more on its way
// in (the old code 6.6 times as much): a read that ends inside the framing
// is copied once, with the next, as a head split across reads is. The
// handler then reads the data whole.
func TestChunkedBodyHeldByData(t *testing.T) {
	const size, chunk = 1 << 20, 16
	var got []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got, _ = io.ReadAll(r.Body) })
	hc, fc := newTestConn(h, Options{MaxBody: size})
	reads := chunkedRequest(size, chunk, false)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, c := range reads { // not feed: its copies of the reads would count
		if err := hc.Received(c); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if fc.out.Len() != 0 {
		t.Fatalf("output %q; want the body pending", fc.out.String())
	}
	if limit := size + 32<<10; fc.held > limit {
		t.Errorf("held %d bytes (reported) for %d bytes of data; want at most %d", fc.held, size, limit)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; !raceEnabled && alloc > size+size/4 {
		t.Errorf("allocated %d bytes for %d bytes of data; want at most %d", alloc, size, size+size/4)
	}
	if err := feed(hc, fc, []byte("0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if len(got) != size || !bytes.Equal(got, bytes.Repeat([]byte("a"), size)) || !strings.HasPrefix(fc.out.String(), "HTTP/1.1 200") {
		t.Errorf("handler read %d bytes, answered %.40q; want the %d bytes of data and 200", len(got), fc.out.String(), size)
	}
	if fc.held != 0 {
		t.Errorf("held %d bytes after the answer; want 0", fc.held)
	}
}

// TestChunkedSplitAsWhole ensures a chunked body decoded as it arrives
// (split into reads) is answered as the chunked reader answers it whole: the
// same data and trailer, the same refusals (a bad size line, data without
// its CRLF, too much framing but not on the last chunk's line, a body over
// MaxBody, a line or trailer past the reader's buffer), and the same
// pipelined request after it.
func TestChunkedSplitAsWhole(t *testing.T) {
	post := req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked")
	next := req("GET /next HTTP/1.1", "Host: x")
	cases := map[string]string{
		"chunks":        post + "3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\n\r\n" + next,
		"trailer":       post + "2\r\nhi\r\n0\r\nX-T: yes\r\n\r\n" + next,
		"no CRLF":       post + "3\r\nabcX\r\n0\r\n\r\n",
		"data then 0":   post + "3\r\nabc0\r\n\r\n",
		"bad size":      post + "3\r\nabc\r\nzz\r\n\r\n",
		"bare LF":       post + "3\nabc\r\n0\r\n\r\n",
		"too large":     post + "20\r\n" + strings.Repeat("b", 32) + "\r\n30\r\n" + strings.Repeat("c", 48) + "\r\n0\r\n\r\n",
		"long line":     post + "3;" + strings.Repeat("e", maxChunkLine) + "\r\nabc\r\n0\r\n\r\n",
		"long trailer":  post + "1\r\na\r\n0\r\nX-Long: " + strings.Repeat("t", maxChunkLine) + "\r\n\r\n",
		"excess":        post + strings.Repeat("1;"+strings.Repeat("e", 4000)+"\r\na\r\n", 5) + "0\r\n\r\n",
		"excess at end": post + strings.Repeat("1;"+strings.Repeat("e", 4000)+"\r\na\r\n", 4) + "0;" + strings.Repeat("e", 4000) + "\r\n\r\n",
		"under excess":  post + strings.Repeat("1;"+strings.Repeat("e", 4000)+"\r\na\r\n", 4) + "0\r\n\r\n" + next,
	}
	o := Options{MaxBody: 64, MaxHeaderBytes: 256}
	for name, in := range cases {
		whole := runFramed(t, o, [][]byte{[]byte(in)})
		for _, size := range []int{1, 2, 3, 5, 64, 1000, 4096} {
			var reads [][]byte
			for b := []byte(in); len(b) > 0; {
				n := min(size, len(b))
				reads, b = append(reads, b[:n]), b[n:]
			}
			split := runFramed(t, o, reads)
			if whole.out != split.out || whole.category != split.category || whole.closed != split.closed {
				t.Errorf("%s in reads of %d: %s %v %.200q; whole: %s %v %.200q", name, size,
					split.category, split.closed, split.out, whole.category, whole.closed, whole.out)
			}
		}
	}
}

// TestChunkedHeldReplays ensures what the behavior hands over of a chunked
// body still arriving (Held, when a fault restarts the connection) is input
// the rest of the client's bytes can follow: cut at every byte of a body of
// three chunks, a fresh behavior given Held and then the rest answers as
// one given the whole request.
func TestChunkedHeldReplays(t *testing.T) {
	in := req("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: chunked") +
		"5\r\nhello\r\n3;x=y\r\n, w\r\n4\r\norld\r\n0\r\nX-T: t\r\n\r\n"
	o := Options{MaxBody: 64, MaxHeaderBytes: 256}
	whole := runFramed(t, o, [][]byte{[]byte(in)})
	for cut := 1; cut < len(in); cut++ {
		hc, fc := newTestConn(testHandler(), testOptions(o))
		hc.clock.fixed = testTime
		if err := feed(hc, fc, []byte(in[:cut])); err != nil || fc.out.Len() != 0 {
			continue // the head alone, or the whole body: nothing held over
		}
		replay := append(bytes.Clone(hc.Held()), in[cut:]...)
		got := runFramed(t, o, [][]byte{replay})
		if got.out != whole.out {
			t.Errorf("cut at %d: Held %q then the rest answered %.120q; whole %.120q", cut, hc.Held(), got.out, whole.out)
		}
	}
}
