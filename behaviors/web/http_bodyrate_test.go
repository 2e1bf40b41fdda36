package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHTTPBodyRate ensures a body is bounded as a whole, not only between its
// bytes: after a grace of the header timeout from the end of its head it must
// keep up MinBodyRate over the last header timeout, so a byte every 0.8 header
// timeouts is answered 408 about a header timeout after the head, whatever
// Content-Length announced, and so is one after a fast start. A fast body
// keeps the progress deadline; either option at 0 lifts the rate rule.
func TestHTTPBodyRate(t *testing.T) {
	const ht = time.Second
	head := req("POST / HTTP/1.1", "Host: x", "Content-Length: 1000000")
	at := func(d time.Duration) time.Time { return testTime.Add(d) }
	type step = struct {
		at   time.Duration // when the bytes arrive, from the head's end
		in   string
		want time.Time // the read deadline after them
	}
	tests := []struct {
		name  string
		o     Options
		steps []step
	}{
		{"trickled", Options{HeaderTimeout: ht, MinBodyRate: 1000}, []step{
			{0, head, at(ht)}, // the grace, no body yet
			{800 * time.Millisecond, "a", at(ht + time.Millisecond)}, // a byte earns 1 ms, not a header timeout
			{ht, "a", at(ht + 2*time.Millisecond)},
		}},
		{"fast, then trickled", Options{HeaderTimeout: ht, MinBodyRate: 1000}, fastThenTrickled(head, ht)},
		{"no rate", Options{HeaderTimeout: ht, MinBodyRate: -1}, []step{
			{0, head, at(ht)},
			{800 * time.Millisecond, "a", at(800*time.Millisecond + ht)},
		}},
		{"no header timeout", Options{HeaderTimeout: -1, MinBodyRate: 1000}, []step{
			{0, head, time.Time{}},
			{800 * time.Millisecond, "a", time.Time{}},
		}},
	}
	for _, tt := range tests {
		hc, fc := newTestConn(testHandler(), tt.o)
		for i, s := range tt.steps {
			hc.clock.fixed = at(s.at)
			if err := feed(hc, fc, []byte(s.in)); err != nil || fc.closed {
				t.Fatalf("%s, step %d: error %v, closed %v", tt.name, i, err, fc.closed)
			}
			if !fc.deadline.Equal(s.want) {
				t.Errorf("%s, step %d: deadline %v after the head; want %v",
					tt.name, i, fc.deadline.Sub(testTime), s.want.Sub(testTime))
			}
		}
		if tt.o.HeaderTimeout <= 0 {
			continue
		}
		hc.TimedOut()
		r := parseReplies(t, fc.out.Bytes(), "POST")
		if len(r) != 1 || r[0].status != http.StatusRequestTimeout || !r[0].close || !fc.closed ||
			!strings.Contains(r[0].body, errBodyTimeout.Error()) {
			t.Errorf("%s: timed out: output %q, closed %v; want one 408 about the body, and close", tt.name, fc.out.String(), fc.closed)
		}
	}
}

// fastThenTrickled is 10 000 body bytes in the first 0.9 s, then a byte
// 0.9 s later: the fast bytes earn no credit beyond a header timeout from
// when they came (without that cap they earned 10 s at 1000 B/s, and the body
// could then trickle for 10 s more), so the trickled byte earns 1 ms and the
// body is due 1.901 s after its head, before the next byte would come.
func fastThenTrickled(head string, ht time.Duration) []struct {
	at   time.Duration
	in   string
	want time.Time
} {
	type step = struct {
		at   time.Duration
		in   string
		want time.Time
	}
	return []step{
		{0, head + strings.Repeat("a", 5000), testTime.Add(ht)},
		{900 * time.Millisecond, strings.Repeat("a", 5000), testTime.Add(900*time.Millisecond + ht)},
		{1800 * time.Millisecond, "a", testTime.Add(900*time.Millisecond + ht + time.Millisecond)},
	}
}

// TestAtRate ensures the time bytes earn at a rate, exact to the nanosecond
// and without overflow: bytes × 1e9 overflows past 9 GB, and 2^62 bytes at
// 1 B/s are more than time.Duration holds.
func TestAtRate(t *testing.T) {
	tests := []struct {
		n, rate int64
		want    time.Duration
	}{
		{0, 1024, 0},
		{1, 1000, time.Millisecond},
		{1, 1024, 976562 * time.Nanosecond},
		{2048, 1024, 2 * time.Second},
		{3 << 10, 1 << 10, 3 * time.Second},
		{10 << 30, 1 << 10, 10 << 20 * time.Second},
		{1 << 62, 1 << 62, time.Second},
		{1<<62 - 1, 1 << 62, 999999999},
		{1<<62 - 1, 1, 100 * 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := atRate(tt.n, tt.rate); got != tt.want {
			t.Errorf("atRate(%d, %d) = %v; want %v", tt.n, tt.rate, got, tt.want)
		}
	}
}
