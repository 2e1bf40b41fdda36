//go:build linux

package netpoll

import (
	"testing"
	"time"
)

// TestDeadlinesEarliestFirst ensures the poller's deadline heap gives the
// earliest deadline first, tells when a new one is the earliest, and lets a
// connection taken back leave it from anywhere, its index kept right.
func TestDeadlinesEarliestFirst(t *testing.T) {
	var d deadlines
	links := make([]*Conn, 5)
	for i := range links {
		links[i] = &Conn{in: input{due: -1}}
	}
	for i, tt := range []struct {
		at       time.Duration
		earliest bool
	}{{50, true}, {20, true}, {40, false}, {10, true}, {30, false}} {
		if got := d.add(links[i], tt.at); got != tt.earliest {
			t.Errorf("add(%v) = %v; want %v", tt.at, got, tt.earliest)
		}
	}
	d.remove(links[3]) // 10, the first
	d.remove(links[2]) // 40, inside
	d.remove(links[2]) // gone already: nothing
	var got []time.Duration
	for at, ok := d.first(); ok; at, ok = d.first() {
		got = append(got, at)
		l := d[0].c
		d.remove(l)
		if l.in.due != -1 {
			t.Errorf("a removed link keeps index %d", l.in.due)
		}
	}
	if want := []time.Duration{20, 30, 50}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("deadlines in order %v; want %v", got, want)
	}
}
