package web

import (
	"bufio"
	"math/bits"
	"time"
)

// This file holds the http behavior's buffers and deadlines between Received
// calls: what is kept of a request still arriving, and when the next bytes must
// come.

// writer returns the response buffer, taking one from the pool if needed.
func (h *httpConn) writer() *bufio.Writer {
	if h.bw == nil {
		h.bw = writers.Get().(*bufio.Writer)
		h.bw.Reset(&h.cw)
	}
	return h.bw
}

// flush sends the buffered response bytes and returns the buffer to the pool.
func (h *httpConn) flush() error {
	if h.bw == nil {
		return h.cw.err
	}
	_ = h.bw.Flush()
	h.bw.Reset(nil)
	writers.Put(h.bw)
	h.bw = nil
	return h.cw.err
}

// keep saves rest, the start of a request still arriving, for the next call.
// The buffer is dropped once empty, so that an idle connection holds none.
func (h *httpConn) keep(rest []byte) {
	if len(rest) == 0 {
		h.buf = nil
		return
	}
	if len(h.buf) > 0 { // rest is the tail of buf: move it to the front
		h.buf = h.buf[:copy(h.buf, rest)]
		return
	}
	h.buf = append(h.buf[:0], rest...)
}

// setDeadline sets the read deadline for what is still missing, and tells the
// connection whether it is idle. The rule is net/http's:
//
//   - a connection's first request, from its start: the head within
//     HeaderTimeout (ReadHeaderTimeout), counted from the connection's start;
//   - between requests (nothing buffered): idle, and the first byte of the next
//     request within KeepAliveTimeout (IdleTimeout); a miss closes quietly;
//   - a later head, from its first byte: within HeaderTimeout, so trickling
//     bytes does not extend it;
//   - a body: some bytes at least every HeaderTimeout, and on average at least
//     MinBodyRate after a grace of HeaderTimeout from the end of its head (see
//     bodyDue). net/http bounds the whole request with ReadTimeout instead.
//
// A zero timeout sets no deadline (the server's -idle-timeout still applies).
func (h *httpConn) setDeadline() {
	var want time.Time
	switch {
	case len(h.buf) == 0 && h.pending == nil && h.started.IsZero():
		h.conn.SetIdle(true)
		want = h.after(h.clock.now(), h.opts.KeepAliveTimeout)
	case h.pending == nil:
		if h.started.IsZero() {
			h.started = h.clock.now()
		}
		want = h.after(h.started, h.opts.HeaderTimeout)
	default:
		want = h.after(h.clock.now(), h.opts.HeaderTimeout)
		if due := h.bodyDue(); !due.IsZero() && due.Before(want) {
			want = due
		}
	}
	if !want.Equal(h.deadline) {
		h.conn.SetReadDeadline(want)
		h.deadline = want
	}
}

// bodyDue is when the pending body falls behind MinBodyRate: the grace of
// HeaderTimeout from the end of its head, plus the time its bytes so far earn
// at that rate (a second for every MinBodyRate bytes); zero when either option
// is 0. So a client trickling a byte every HeaderTimeout/2 is answered 408
// about HeaderTimeout after its head, however large a body it announced, and
// any body, sent at any pace, is whole within HeaderTimeout + size/MinBodyRate.
func (h *httpConn) bodyDue() time.Time {
	rate := h.opts.MinBodyRate
	if rate <= 0 || h.opts.HeaderTimeout <= 0 {
		return time.Time{}
	}
	p := h.pending
	got := int64(len(h.buf) - p.headLen) // body bytes so far, chunk framing included
	return p.headEnd.Add(h.opts.HeaderTimeout + atRate(got, rate))
}

// atRate is how long n bytes take at rate bytes a second (n >= 0, rate > 0),
// exact to the nanosecond: n × 1e9 would overflow past 9 GB. A time past a
// century counts as a century.
func atRate(n, rate int64) time.Duration {
	const century = 100 * 365 * 24 * time.Hour
	secs := n / rate
	if secs >= int64(century/time.Second) {
		return century
	}
	hi, lo := bits.Mul64(uint64(n%rate), uint64(time.Second))
	frac, _ := bits.Div64(hi, lo, uint64(rate)) // hi < rate: the quotient is under a second
	return time.Duration(secs)*time.Second + time.Duration(frac)
}

// after returns t+d, or the zero time (no deadline) when d is not positive.
func (h *httpConn) after(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return t.Add(d)
}
