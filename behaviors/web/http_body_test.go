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

// lengthRequest is a POST whose Content-Length body is size bytes of 'a',
// cut into reads of the connection's 16 KiB.
func lengthRequest(size int) [][]byte {
	in := []byte(req("POST / HTTP/1.1", "Host: x", fmt.Sprintf("Content-Length: %d", size)) +
		strings.Repeat("a", size))
	var chunks [][]byte
	for len(in) > 0 {
		n := min(len(in), 16<<10)
		chunks, in = append(chunks, in[:n]), in[n:]
	}
	return chunks
}

// TestBodyAllocatedByLength ensures a Content-Length body that arrives over
// many reads is allocated by its declared length, once: the bytes allocated
// to receive and answer a 1 MiB body are about 1 MiB (the buffer used to grow
// by append, 1.25x at a time, and the handler got a copy on top: about 5 MiB
// allocated per MiB).
func TestBodyAllocatedByLength(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random")
	}
	const size = 1 << 20
	chunks := lengthRequest(size)
	var n int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n, _ = io.Copy(io.Discard, r.Body) })
	hc, fc := newTestConn(h, Options{MaxBody: size})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, c := range chunks { // not feed: its copies of the chunks would count
		if err := hc.Received(c); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if n != size || fc.closed {
		t.Fatalf("handler read %d bytes, closed %v; want %d, open", n, fc.closed, size)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > size+size/8 {
		t.Errorf("allocated %d bytes for a %d-byte body; want at most %d", got, size, size+size/8)
	}
}

// TestBodyHeldByLength ensures connections holding most of a large body hold
// about what they were sent, not twice that: 16 behaviors each sent 1 MiB - 1
// byte of a 1 MiB body keep at most 1 MiB + 32 KiB each on the heap (a
// buffer grown by append held up to 1.25 MiB: 1.08 here). And one that declared 1 MiB
// and sent 100 bytes holds one 64 KiB segment, not the declared megabyte.
func TestBodyHeldByLength(t *testing.T) {
	const size, conns = 1 << 20, 16
	chunks := lengthRequest(size)
	last := chunks[len(chunks)-1]
	chunks[len(chunks)-1] = last[:len(last)-1] // all but the last byte
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	held := make([]*httpConn, conns)
	for i := range held {
		hc, fc := newTestConn(testHandler(), Options{MaxBody: size})
		if err := feed(hc, fc, chunks...); err != nil || fc.out.Len() != 0 {
			t.Fatalf("error %v, output %q; want the body pending", err, fc.out.String())
		}
		held[i] = hc
	}
	if got, want := int64(heap())-int64(base), int64(conns*(size+size/32)); got > want {
		t.Errorf("%d connections holding %d bytes each: heap grew %d bytes; want at most %d", conns, size-1, got, want)
	}
	runtime.KeepAlive(held)

	hc, fc := newTestConn(testHandler(), Options{MaxBody: size})
	head := req("POST / HTTP/1.1", "Host: x", fmt.Sprintf("Content-Length: %d", size))
	if err := feed(hc, fc, []byte(head+strings.Repeat("a", 100))); err != nil {
		t.Fatal(err)
	}
	if got := hc.pending.body.held(); got != bodySegment {
		t.Errorf("a body of 100 bytes so far holds %d bytes; want %d", got, bodySegment)
	}
	if got := hc.Held(); !bytes.Equal(got, []byte(head+strings.Repeat("a", 100))) {
		t.Errorf("Held() = %.80q...; want the head and the body so far", got)
	}
}

// TestSegmentReader ensures a body held in segments reads back whole, in
// order, however the handler's reads fall across the segments.
func TestSegmentReader(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), (3*bodySegment+100)/16)
	b := &bodyBuf{want: len(want)}
	for in := want; len(in) > 0; {
		n := min(len(in), 7000)
		if took := b.write(in[:n]); took != n {
			t.Fatalf("write took %d of %d", took, n)
		}
		in = in[n:]
	}
	if !b.complete() || b.held() != len(want) {
		t.Fatalf("complete %v, held %d; want true, %d (allocated by the declared length)", b.complete(), b.held(), len(want))
	}
	r := b.reader()
	var got []byte
	buf := make([]byte, 5000)
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
	}
	if !bytes.Equal(got, want) {
		t.Errorf("read %d bytes back; want the %d written", len(got), len(want))
	}
}
