package web

import (
	"bytes"
	"io"
)

// This file holds a Content-Length body that did not arrive with its head.
// Such a body is the most a client makes the behavior hold (a -max-body of
// 1 MiB, per connection), so it is kept by its declared length: in segments
// of at most bodySegment bytes, each allocated when the first of its bytes
// arrives and sized to what the declared length still needs. No buffer grows
// by doubling (append's growth left up to 2 MiB of live buffer and garbage
// per 1 MiB body, and the handler got a copy on top), a client that declares
// a large body and sends little makes the server hold little, and the
// handler reads the segments themselves, without a copy.

// bodySegment is the most one allocation of a pending body takes: 64 KiB is
// four reads of the connection's 16 KiB buffer, so a 1 MiB body costs 16
// allocations, and one that stalls holds at most 64 KiB it was not sent.
const bodySegment = 64 << 10

// bodyBuf is a Content-Length body as it arrives.
type bodyBuf struct {
	segs [][]byte // full segments, then the one being filled (len: bytes in it)
	n    int      // bytes so far, in segs
	want int      // the declared length; for a chunked body, the most it may have

	// sizeHint, when not 0, is the data a chunked body's current chunk
	// still has to come: the next segment is sized to it (at least
	// minChunkSegment), as a Content-Length body's is to what it lacks.
	sizeHint int
}

// write copies the start of p, up to what the body still lacks, and returns
// how many bytes it took.
func (b *bodyBuf) write(p []byte) int {
	took := 0
	for len(p) > 0 && b.n < b.want {
		last := len(b.segs) - 1
		if last < 0 || len(b.segs[last]) == cap(b.segs[last]) {
			b.segs = append(b.segs, make([]byte, 0, b.segmentSize()))
			last++
		}
		seg := b.segs[last]
		k := min(len(p), cap(seg)-len(seg))
		b.segs[last] = append(seg, p[:k]...)
		b.n += k
		took += k
		p = p[k:]
	}
	return took
}

// segmentSize is the capacity of the next segment.
func (b *bodyBuf) segmentSize() int {
	n := min(bodySegment, b.want-b.n)
	if b.sizeHint > 0 {
		n = min(n, max(b.sizeHint, minChunkSegment))
	}
	return n
}

// complete reports whether the whole body has arrived.
func (b *bodyBuf) complete() bool { return b.n == b.want }

// held is the memory the body holds: its segments' capacity.
func (b *bodyBuf) held() int {
	n := 0
	for _, s := range b.segs {
		n += cap(s)
	}
	return n
}

// bytes returns a copy of the body so far (for protocol.Holder: rare).
func (b *bodyBuf) bytes() []byte {
	return bytes.Join(b.segs, nil)
}

// reader returns the body for the handler, over the segments themselves: the
// bodyBuf is the request's alone once complete.
func (b *bodyBuf) reader() io.ReadCloser {
	if len(b.segs) == 1 {
		return &bodyReader{Reader: *bytes.NewReader(b.segs[0])}
	}
	return &segmentReader{segs: b.segs}
}

// segmentReader reads a body's segments in order.
type segmentReader struct {
	segs [][]byte
}

func (r *segmentReader) Read(p []byte) (int, error) {
	for len(r.segs) > 0 && len(r.segs[0]) == 0 {
		r.segs[0] = nil // read: let the GC have it while the handler reads on
		r.segs = r.segs[1:]
	}
	if len(r.segs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.segs[0])
	r.segs[0] = r.segs[0][n:]
	return n, nil
}

func (*segmentReader) Close() error { return nil }
