package netpoll

import (
	"testing"
	"time"
)

// TestRearm ensures a socket deadline moves whenever it must: earlier at once,
// to or from none at once, and later only by more than 1/16 of the time the new
// deadline grants, whatever timeout it comes from, so that a short deadline a
// behavior asks for keeps moving with the peer's progress.
func TestRearm(t *testing.T) {
	now := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return now.Add(d) }
	ms := time.Millisecond
	tests := []struct {
		name         string
		armed, want  time.Time
		wantRearming bool
	}{
		{"same", at(500 * ms), at(500 * ms), false},
		{"earlier", at(500 * ms), at(400 * ms), true},
		{"none to some", time.Time{}, at(500 * ms), true},
		{"some to none", at(500 * ms), time.Time{}, true},
		{"500ms deadline, 50ms later", at(450 * ms), at(500 * ms), true},
		{"500ms deadline, 20ms later", at(480 * ms), at(500 * ms), false},
		{"5min deadline, 50ms later", at(5*time.Minute - 50*ms), at(5 * time.Minute), false},
		{"5min deadline, 20s later", at(5*time.Minute - 20*time.Second), at(5 * time.Minute), true},
	}
	for _, tt := range tests {
		if got := rearm(stampOf(tt.armed), stampOf(tt.want), stampOf(now)); got != tt.wantRearming {
			t.Errorf("%s: rearm(%v, %v, now) = %v; want %v", tt.name, tt.armed.Sub(now), tt.want.Sub(now), got, tt.wantRearming)
		}
	}
}

// TestStamp ensures a deadline kept as a stamp comes back as the same instant
// (by the monotonic clock when it has a reading, else by the wall clock; the
// wall reading of a monotonic one may differ by the few nanoseconds between
// time.Now's two clock reads), and the zero Time as the zero Time.
func TestStamp(t *testing.T) {
	now := time.Now()
	for _, tt := range []time.Time{now, now.Add(5 * time.Minute), now.Add(-time.Hour), time.Unix(0, now.UnixNano())} {
		got := stampOf(tt).time()
		if d := got.Round(0).Sub(tt.Round(0)); !got.Equal(tt) || d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("stampOf(%v).time() = %v; want the same instant", tt, got)
		}
	}
	if got := stampOf(time.Time{}); got != 0 || !got.time().IsZero() {
		t.Errorf("stampOf(zero) = %d, %v; want 0, the zero Time", got, got.time())
	}
}
