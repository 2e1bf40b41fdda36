package resp

import (
	"math"
	"strconv"
)

// Writer builds replies in Redis's wire format, RESP2 or RESP3 (HELLO 3), into
// one buffer that goes to the socket in one write. A command handler writes
// exactly one reply (an aggregate counts as one: its header, then its
// elements); the methods that differ between the protocols (Null, Map, Set,
// Double, Bool, Push, Verbatim) write each version as Redis 7.0 does.
type Writer struct {
	buf   []byte
	Proto int // 2 or 3
}

// Bytes returns what has been written.
func (w *Writer) Bytes() []byte { return w.buf }

// Len is the number of bytes written so far.
func (w *Writer) Len() int { return len(w.buf) }

// Reset empties the writer, keeping its buffer and protocol.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Raw appends bytes that already are a reply.
func (w *Writer) Raw(p []byte) { w.buf = append(w.buf, p...) }

// OK writes +OK.
func (w *Writer) OK() { w.buf = append(w.buf, "+OK\r\n"...) }

// Simple writes a status reply: +s (s must hold no CR or LF).
func (w *Writer) Simple(s string) {
	w.buf = append(append(append(w.buf, '+'), s...), '\r', '\n')
}

// Error writes an error reply. msg starts with its code (ERR, WRONGTYPE, ...);
// Redis replaces CR and LF in it with spaces, and so does this.
func (w *Writer) Error(msg string) {
	w.buf = append(w.buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '\r', '\n')
}

// Int writes an integer reply.
func (w *Writer) Int(n int64) { w.header(':', n) }

// IntText writes an integer reply whose decimal text t already is (a
// counter's stored value), without formatting it again.
func (w *Writer) IntText(t []byte) {
	w.buf = append(append(append(w.buf, ':'), t...), '\r', '\n')
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(p []byte) {
	w.header('$', int64(len(p)))
	w.buf = append(append(w.buf, p...), '\r', '\n')
}

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) {
	w.header('$', int64(len(s)))
	w.buf = append(append(w.buf, s...), '\r', '\n')
}

// BulkInt writes n as a bulk string (as Redis answers GET on an integer).
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null writes the null reply: $-1 in RESP2, _ in RESP3.
func (w *Writer) Null() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "$-1\r\n"...)
}

// NullArray writes the null array: *-1 in RESP2, _ in RESP3 (BLPOP's
// timeout, EXEC's abort).
func (w *Writer) NullArray() {
	if w.Proto >= 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

// Array writes the header of an array of n elements; the elements follow.
func (w *Writer) Array(n int) { w.header('*', int64(n)) }

// Map writes the header of a map of n key-value pairs: %n in RESP3, an array
// of 2n elements in RESP2. The 2n elements follow.
func (w *Writer) Map(n int) {
	if w.Proto >= 3 {
		w.header('%', int64(n))
		return
	}
	w.header('*', int64(2*n))
}

// Set writes the header of a set of n elements: ~n in RESP3, an array in RESP2.
func (w *Writer) Set(n int) {
	if w.Proto >= 3 {
		w.header('~', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Push writes the header of an out-of-band push of n elements: >n in RESP3,
// an array in RESP2 (pub/sub messages).
func (w *Writer) Push(n int) {
	if w.Proto >= 3 {
		w.header('>', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Double writes a floating-point reply: ,f in RESP3, a bulk string in RESP2,
// formatted as Redis formats it (%.17g, inf, -inf, nan).
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	p := FormatDouble(tmp[:0], f)
	if w.Proto >= 3 {
		w.buf = append(append(append(w.buf, ','), p...), '\r', '\n')
		return
	}
	w.Bulk(p)
}

// Bool writes a boolean: #t/#f in RESP3, :1/:0 in RESP2.
func (w *Writer) Bool(b bool) {
	if w.Proto >= 3 {
		if b {
			w.buf = append(w.buf, "#t\r\n"...)
		} else {
			w.buf = append(w.buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Verbatim writes text as RESP3's verbatim string of format "txt" (INFO,
// CLIENT INFO, CLIENT LIST), or a bulk string in RESP2.
func (w *Writer) Verbatim(text string) {
	if w.Proto < 3 {
		w.BulkString(text)
		return
	}
	w.header('=', int64(len(text)+4))
	w.buf = append(append(append(w.buf, "txt:"...), text...), '\r', '\n')
}

// BulkStrings writes an array of bulk strings.
func (w *Writer) BulkStrings(items [][]byte) {
	w.Array(len(items))
	for _, it := range items {
		w.Bulk(it)
	}
}

func (w *Writer) header(kind byte, n int64) {
	w.buf = strconv.AppendInt(append(w.buf, kind), n, 10)
	w.buf = append(w.buf, '\r', '\n')
}

// FormatDouble appends f as Redis 7.0 writes a double: C's %.17g (Go's 'g'
// with precision 17 writes the same digits), and inf, -inf, nan.
func FormatDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
