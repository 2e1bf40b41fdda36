package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"async_server/supervision"
)

// This file holds a chunked body that did not arrive whole with its head.
// Such a body is decoded as it arrives: each chunk's data moves into a
// bodyBuf (http_body.go), in segments, and only the framing not yet read
// whole (a chunk-size line, the last chunk and its trailer) stays in the
// connection's buffer. So a chunked body is held as its data, as a
// Content-Length body is, and not as its encoding in a buffer grown by
// append (which held 1.4 MiB, and allocated 6.6, for 1 MiB of data in
// 16-byte chunks).
//
// The framing rules are net/http's chunked reader's (the walk's chunkSize
// and the reader's limit on framing overhead); the last chunk and the
// trailer are decoded by the reader itself (decodeChunked), as is any line
// the feed refuses, so its error is the reader's. A body that comes whole
// with its head is decoded by the reader alone (http_chunked.go).

// maxExcess is the chunked reader's limit on framing beyond its allowance
// (16 bytes a chunk and twice the chunk's data): "too much non-data".
const maxExcess = 16 << 10

// minChunkSegment is the least a segment of a chunked body takes: small
// chunks share segments instead of each allocating its own.
const minChunkSegment = 4 << 10

// errChunkCRLF and errExcessFraming are the chunked reader's own errors,
// for the two checks the feed makes itself.
var (
	errChunkCRLF     = errors.New("malformed chunked encoding")
	errExcessFraming = errors.New("chunked encoding contains too much non-data")
)

// chunkFeed is how far a chunked body's decoding has got.
type chunkFeed struct {
	left    uint64 // data of the current chunk still to come
	crlf    bool   // the current chunk's data is in: its CRLF comes next
	excess  int64  // the chunked reader's count of framing overhead
	encoded int    // encoded bytes taken so far
}

// feedState is what a feed found.
type feedState int

const (
	feedMore feedState = iota // every byte it could take is taken: wait for more
	feedLast                  // the rest starts at the last chunk (trailer whole) or a line the feed refuses
)

// feed takes the chunks at the start of b, their data into body, and
// returns the bytes it took and what follows them.
func (f *chunkFeed) feed(b []byte, body *bodyBuf) (int, feedState, error) {
	n := 0
	for {
		if f.left > 0 {
			k := int(min(f.left, uint64(len(b)-n)))
			if body.n+k > body.want {
				return n, feedMore, errBodyTooLarge
			}
			body.sizeHint = int(min(f.left, bodySegment))
			body.write(b[n : n+k])
			n, f.left = n+k, f.left-uint64(k)
			if f.left > 0 {
				return f.took(n), feedMore, nil
			}
			f.crlf = true
		}
		if f.crlf {
			if len(b)-n < 2 {
				return f.took(n), feedMore, nil
			}
			if string(b[n:n+2]) != "\r\n" {
				return f.took(n), feedMore, errChunkCRLF
			}
			n, f.crlf = n+2, false
		}
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			if len(b)-n >= maxChunkLine { // the reader refuses so long a line
				return f.took(n), feedLast, nil
			}
			return f.took(n), feedMore, nil
		}
		size, ok := chunkSize(b[n : n+i+1])
		if !ok || i+1 > maxChunkLine { // the reader's buffer must hold the line
			return f.took(n), feedLast, nil
		}
		if size == 0 { // the reader's end: its excess check does not apply to it
			if trailerEnded(b[n+i+1:]) {
				return f.took(n), feedLast, nil
			}
			return f.took(n), feedMore, nil
		}
		// The reader's arithmetic, int64 wrap-around and all.
		if f.excess = max(f.excess+int64(i+1)-16-2*int64(size), 0); f.excess > maxExcess {
			return f.took(n), feedMore, errExcessFraming
		}
		n, f.left = n+i+1, size
	}
}

// took counts n more encoded bytes taken and returns n.
func (f *chunkFeed) took(n int) int {
	f.encoded += n
	return n
}

// trailerEnded reports whether t, what follows the last chunk's line, holds
// the whole trailer, or more than the reader will look through for its end.
func trailerEnded(t []byte) bool {
	return bytes.HasPrefix(t, []byte("\r\n")) || len(t) > maxChunkLine || bytes.Contains(t, []byte("\r\n\r\n"))
}

// chunkedMore decodes what b holds of a chunked body that did not come whole
// with its head (see body), and returns as body does.
func (h *httpConn) chunkedMore(b []byte) (io.ReadCloser, int, bool, error) {
	p := h.pending
	f := p.chunks
	n, state, err := f.feed(b, p.body)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return nil, n, false, h.reject(http.StatusRequestEntityTooLarge, err, supervision.TooLarge)
	case err != nil:
		return nil, n, false, h.reject(http.StatusBadRequest, malformed(err), supervision.BadRequest)
	case state == feedMore:
		return nil, n, false, h.checkChunkedTail(len(b) - n)
	}
	return h.chunkedEnd(b, n)
}

// chunkedEnd decodes the end of a chunked body, b[n:] (its last chunk and
// trailer, or a line the feed refused), with the chunked reader.
func (h *httpConn) chunkedEnd(b []byte, n int) (io.ReadCloser, int, bool, error) {
	p := h.pending
	data, took, err := h.decodeChunked(b[n:])
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		// Only if the feed and the reader disagree: wait for more.
		return nil, n, false, h.checkChunkedTail(len(b) - n)
	case errors.Is(err, errBodyTooLarge):
		return nil, n, false, h.reject(http.StatusRequestEntityTooLarge, err, supervision.TooLarge)
	case err != nil:
		return nil, n, false, h.reject(http.StatusBadRequest, malformed(err), supervision.BadRequest)
	}
	if p.body.n+len(data) > p.body.want {
		return nil, n, false, h.reject(http.StatusRequestEntityTooLarge, errBodyTooLarge, supervision.TooLarge)
	}
	p.chunks.encoded += took
	p.body.sizeHint = len(data)
	p.body.write(data)
	return p.body.reader(), n + took, true, nil
}

// held is the chunked body so far as input that the rest of the client's
// bytes can follow (protocol.Holder): the data as one chunk, then, in the
// middle of a chunk, the header of what it still lacks, or, where the
// client's CRLF after a chunk's data is still to come, no CRLF of its own.
func (f *chunkFeed) held(body *bodyBuf) []byte {
	var b []byte
	if body.n > 0 {
		b = append(fmt.Appendf(nil, "%x\r\n", body.n), body.bytes()...)
		if !f.crlf {
			b = append(b, "\r\n"...)
		}
	}
	if f.left > 0 {
		b = fmt.Appendf(b, "%x\r\n", f.left)
	}
	return b
}

// maxChunkedTail bounds the bytes of a chunked body held undecoded: the feed
// leaves at most a chunk-size line or a trailer of maxChunkLine (the chunked
// reader refuses longer ones), so more means the feed and the reader disagree.
const maxChunkedTail = 64 << 10

// checkChunkedTail refuses a chunked body whose undecoded tail, n bytes, is past
// maxChunkedTail, rather than hold it. The data is bounded by MaxBody as it
// arrives, and the framing by the chunked reader's excess rule, as net/http's;
// the encoded size is not (a body of 1-byte chunks is six times its data).
func (h *httpConn) checkChunkedTail(n int) error {
	if n > maxChunkedTail {
		return h.reject(http.StatusRequestEntityTooLarge, errBodyTooLarge, supervision.TooLarge)
	}
	return nil
}
