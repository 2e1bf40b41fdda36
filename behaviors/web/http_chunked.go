package web

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httputil"
	"net/textproto"

	"async_server/supervision"
)

// This file finds where a request body ends and hands it to net/http's
// decoders. A Content-Length body ends where its length says. A chunked body is
// walked chunk by chunk as its bytes arrive, the walk resuming where the last
// Received left it, so that a body costs one pass however it is split; it is
// decoded once, by httputil's chunked reader (the one net/http uses), when the
// walk has found its end or something the reader will refuse.

// maxChunkLine is the chunked reader's limit on a chunk-size line (its
// maxLineLength) and on where a trailer's end must show (its buffer size).
const maxChunkLine = 4096

// chunkWalk is how far the walk of a chunked body has got. Offsets count from
// the body's start.
type chunkWalk struct {
	next    int  // where the next chunk-size line, or the trailer, starts
	dataEnd int  // when not 0: the end of the current chunk's data and its CRLF
	need    int  // the body's length at which looking again can tell more
	trailer bool // the last chunk was seen: the trailer starts at next
}

// body returns the body of the pending request at the start of b, the bytes
// it took, and whether the request is complete; when it is not, the bytes
// taken are those moved out of b into the pending body (see pendingHead). A
// chunked body that comes whole with its head is decoded here, by the
// chunked reader; one that does not is decoded as it arrives
// (http_chunked_feed.go).
func (h *httpConn) body(b []byte) (io.ReadCloser, int, bool, error) {
	p := h.pending
	switch {
	case !chunked(p.req):
		return h.lengthBody(b)
	case p.chunks != nil:
		return h.chunkedMore(b)
	}
	rest := b[p.headLen:]
	if p.walk.done(rest) {
		body, n, err := h.decodeChunked(rest)
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			// Only if the walk and the reader disagree: decode as it comes.
		case errors.Is(err, errBodyTooLarge):
			return nil, 0, false, h.reject(http.StatusRequestEntityTooLarge, err, supervision.TooLarge)
		case err != nil:
			return nil, 0, false, h.reject(http.StatusBadRequest, malformed(err), supervision.BadRequest)
		default:
			return ownBody(body), p.headLen + n, true, nil
		}
	}
	limit := math.MaxInt
	if h.opts.MaxBody > 0 {
		limit = int(h.opts.MaxBody)
	}
	headLen := p.headLen
	p.head, p.body, p.chunks, p.headLen = bytes.Clone(b[:headLen]), &bodyBuf{want: limit}, &chunkFeed{}, 0
	body, n, done, err := h.chunkedMore(rest)
	return body, headLen + n, done, err
}

// lengthBody is body for a Content-Length body. One that came whole with its
// head is copied out of b at its exact size; one that did not moves, with
// what follows of it, into a bodyBuf (http_body.go), so the head's bytes are
// no longer kept in buf and the body is never copied again.
func (h *httpConn) lengthBody(b []byte) (io.ReadCloser, int, bool, error) {
	p := h.pending
	want := int(p.req.ContentLength) // at most MaxBody, or no limit: head checked it
	if p.body == nil {
		rest := b[p.headLen:]
		if len(rest) >= want {
			return ownBody(bytes.Clone(rest[:want])), p.headLen + want, true, nil
		}
		p.head, p.body = bytes.Clone(b[:p.headLen]), &bodyBuf{want: want}
		n := p.headLen + p.body.write(rest)
		p.headLen = 0
		return nil, n, false, nil
	}
	n := p.body.write(b)
	if !p.body.complete() {
		return nil, n, false, nil
	}
	return p.body.reader(), n, true, nil
}

// ownBody is a request body over b, which the handler may keep: b is the
// request's alone.
func ownBody(b []byte) io.ReadCloser {
	if len(b) == 0 {
		return http.NoBody
	}
	return &bodyReader{Reader: *bytes.NewReader(b)}
}

// done walks the chunks of b, a chunked body so far, from where the last walk
// stopped, and reports whether b holds the whole body and trailer, or a framing
// error the chunked reader will report: either way, time to decode.
func (w *chunkWalk) done(b []byte) bool {
	for len(b) >= w.need {
		switch {
		case w.trailer:
			return w.trailerDone(b)
		case w.dataEnd > 0:
			if string(b[w.dataEnd-2:w.dataEnd]) != "\r\n" {
				return true // the reader wants CRLF after the data
			}
			w.next, w.dataEnd, w.need = w.dataEnd, 0, w.dataEnd+1
			continue
		}
		i := bytes.IndexByte(b[w.next:], '\n')
		if i < 0 {
			w.need = len(b) + 1
			return len(b)-w.next >= maxChunkLine // the reader refuses so long a line
		}
		size, ok := chunkSize(b[w.next : w.next+i+1])
		if !ok {
			return true
		}
		w.next += i + 1
		switch {
		case size == 0:
			w.trailer, w.need = true, w.next+2
		case size > math.MaxInt32: // more than any buffer: the feed takes it as it comes
			w.need = math.MaxInt
		default:
			w.dataEnd = w.next + int(size) + 2
			w.need = w.dataEnd
		}
	}
	return false
}

// trailerDone reports whether the trailer after the last chunk has ended, by
// net/http's rule (body.readTrailer): an empty trailer is one CRLF; otherwise
// "\r\n\r\n" must show within maxChunkLine bytes, or net/http refuses it.
func (w *chunkWalk) trailerDone(b []byte) bool {
	t := b[w.next:]
	if bytes.HasPrefix(t, []byte("\r\n")) || len(t) > maxChunkLine {
		return true
	}
	if bytes.Contains(t, []byte("\r\n\r\n")) {
		return true
	}
	w.need = len(b) + 1
	return false
}

// chunkSize parses a chunk-size line, CRLF included, as the chunked reader does
// (readChunkLine, removeChunkExtension, parseHexUint); ok is false where it
// would fail.
func chunkSize(line []byte) (n uint64, ok bool) {
	if len(line) < 2 || bytes.IndexByte(line, '\r') != len(line)-2 { // CRLF only at the end
		return 0, false
	}
	p := line[:len(line)-2]
	if len(p) >= maxChunkLine {
		return 0, false
	}
	p = bytes.TrimRight(p, " \t")
	p, _, _ = bytes.Cut(p, []byte(";"))
	if len(p) == 0 || len(p) > 16 {
		return 0, false
	}
	for _, c := range p {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	return n, true
}

// decodeChunked decodes the chunked body and trailer at the start of b and
// returns the body and the bytes they took. The trailer's fields go to
// req.Trailer.
func (h *httpConn) decodeChunked(b []byte) ([]byte, int, error) {
	rd := bytes.NewReader(b)
	br := readers.Get().(*bufio.Reader)
	defer readers.Put(br)
	br.Reset(rd)
	defer br.Reset(nil)
	body, err := readDecoded(httputil.NewChunkedReader(br), len(b), h.opts.MaxBody)
	if err != nil {
		return nil, 0, err
	}
	if t, _ := br.Peek(2); string(t) == "\r\n" {
		_, _ = br.Discard(2)
	} else if t, _ := br.Peek(min(br.Buffered(), maxChunkLine)); !bytes.Contains(t, []byte("\r\n\r\n")) {
		return nil, 0, errLongTrailer
	} else {
		trailer, err := textproto.NewReader(br).ReadMIMEHeader()
		if err != nil {
			return nil, 0, err
		}
		h.pending.req.Trailer = http.Header(trailer)
	}
	return body, len(b) - rd.Len() - br.Buffered(), nil
}

func chunked(req *http.Request) bool {
	return len(req.TransferEncoding) > 0 && req.TransferEncoding[0] == "chunked"
}

// readDecoded reads src, a chunked body of encoded bytes, into one buffer
// allocated up front: the decoded body is never longer than its encoding, nor
// (with a limit) than maxBody, so no buffer grows by doubling as io.ReadAll's
// does. More than maxBody (when it is not 0) is errBodyTooLarge.
func readDecoded(src io.Reader, encoded int, maxBody int64) ([]byte, error) {
	size := encoded
	if maxBody > 0 && int64(size) > maxBody {
		size = int(maxBody)
	}
	body := make([]byte, 0, size+1) // the extra byte tells a body over maxBody
	for len(body) <= size {
		n, err := src.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		switch {
		case len(body) > size:
			return nil, errBodyTooLarge
		case err == io.EOF:
			return body, nil
		case err != nil:
			return nil, err
		}
	}
	return nil, errBodyTooLarge
}
