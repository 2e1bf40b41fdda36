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
//   - a body: some bytes at least every HeaderTimeout, and at least
//     MinBodyRate over the last HeaderTimeout or so (see bodyRate). net/http
//     bounds the whole request with ReadTimeout instead.
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
		now := h.clock.now()
		want = h.after(now, h.opts.HeaderTimeout)
		if due := h.pending.rate.update(h.bodyReceived(), now, h.opts); !due.IsZero() && due.Before(want) {
			want = due
		}
	}
	if !want.Equal(h.deadline) {
		h.conn.SetReadDeadline(want)
		h.deadline = want
	}
}

// bodyReceived is how many bytes of the pending body have arrived (chunk
// framing included).
func (h *httpConn) bodyReceived() int {
	if p := h.pending; p.chunks != nil {
		return p.chunks.encoded + len(h.buf)
	} else if p.body != nil {
		return p.body.n + len(h.buf)
	}
	return len(h.buf) - h.pending.headLen
}

// bodyRate is when a pending body falls behind MinBodyRate, as Apache's
// mod_reqtimeout counts it: the body starts with a grace of HeaderTimeout
// from the end of its head, and every byte received moves the deadline on by
// the time it earns at that rate (a second for every MinBodyRate bytes). The
// deadline never runs more than HeaderTimeout ahead of now, though: bytes
// sent fast earn no credit beyond it. So the rate is held over a recent
// window, not on average from the start, and a body sent mostly up front,
// then a byte at a time, is answered 408 about a HeaderTimeout after it
// stalled, like one slow from its start. (Without the cap, 1 MiB sent at
// once earned 17 minutes at 1 KiB/s.) Zero when either option is 0.
type bodyRate struct {
	due     time.Time // zero: no rate rule
	counted int       // the body bytes already added to due
}

// start starts the clock of a body whose head ended at now.
func (r *bodyRate) start(now time.Time, o *Options) {
	if o.MinBodyRate > 0 && o.HeaderTimeout > 0 {
		r.due = now.Add(o.HeaderTimeout)
	}
}

// update adds the time earned by the bytes received since the last call
// (got in all) and returns the deadline.
func (r *bodyRate) update(got int, now time.Time, o *Options) time.Time {
	if r.due.IsZero() || got <= r.counted {
		return r.due
	}
	r.due = r.due.Add(atRate(int64(got-r.counted), o.MinBodyRate))
	r.counted = got
	if limit := now.Add(o.HeaderTimeout); r.due.After(limit) {
		r.due = limit
	}
	return r.due
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
