package resp

import (
	"testing"
	"time"
)

// TestWallNow checks the wall clock a read's stamp takes: derived from the
// last reading while it is fresh, read again once it is stale or ahead.
func TestWallNow(t *testing.T) {
	saved := lastWall.Load()
	t.Cleanup(func() { lastWall.Store(saved) })

	mono := monoNow()
	lastWall.Store(&wallStamp{wall: 1000, mono: mono - time.Millisecond})
	if got := wallNow(mono); got != 1000+int64(time.Millisecond) {
		t.Errorf("fresh stamp: wallNow = %d, want %d, derived from it", got, 1000+int64(time.Millisecond))
	}

	for name, w := range map[string]*wallStamp{
		"stale":  {wall: 1000, mono: mono - 2*stampFresh},
		"ahead":  {wall: 1000, mono: mono + time.Millisecond},
		"absent": nil,
	} {
		lastWall.Store(w)
		before := time.Now().UnixNano()
		got := wallNow(monoNow())
		after := time.Now().UnixNano()
		if got < before-int64(time.Millisecond) || got > after {
			t.Errorf("%s stamp: wallNow = %d, want the clock, in [%d, %d]", name, got, before, after)
		}
		if w := lastWall.Load(); w == nil || w.wall < before || w.wall > after {
			t.Errorf("%s stamp: not renewed from the clock: %+v", name, w)
		}
	}
}
