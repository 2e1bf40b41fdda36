package heapfloor

import (
	"runtime"
	"runtime/debug"
	"testing"

	"async_server/internal/leakcheck"
)

// TestMain fails the package's tests if a goroutine outlives them.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

func TestPercent(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct {
		floor, live int64
		base, want  int
	}{
		{32 * MiB, 0, 100, 800},        // before the first cycle: the minimum heap, 4 MiB × 8
		{32 * MiB, 2 * MiB, 100, 850},  // the minimum heap decides: 4 MiB × 8.5 = 34 MiB
		{32 * MiB, 8 * MiB, 100, 400},  // 8 MiB × 5 = 40 MiB
		{32 * MiB, 64 * MiB, 100, 100}, // past the floor: GOGC's own goal is higher
		{32 * MiB, 16 * MiB, 300, 300}, // a GOGC from the environment that asks for more wins
		{32 * MiB, 2 * MiB, -1, -1},    // GOGC=off stays off
		{0, 2 * MiB, 100, 100},         // no floor
		{1 << 40, 1, 100, maxPercent},  // bounded
		{32 * MiB, 32 * MiB, 100, 100}, // exactly at it
		{32 * MiB, 3 * MiB, 100, 875},  // 4 MiB × 8.75 = 35 MiB
		{32 * MiB, 5 * MiB, 100, 640},  // 5 MiB × 7.4 = 37 MiB
	} {
		if got := Percent(c.floor, c.live, c.base); got != c.want {
			t.Errorf("Percent(%d, %d, %d) = %d, want %d", c.floor, c.live, c.base, got, c.want)
		}
	}
}

func TestPressed(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct {
		live int64
		base int
		rate float64
		want bool
	}{
		{2 * MiB, 100, 100 * MiB, true},   // 4 MiB of runway in 40 ms
		{2 * MiB, 100, 30 * MiB, false},   // in 133 ms
		{2 * MiB, 100, 0, false},          // quiet
		{64 * MiB, 100, 500 * MiB, false}, // 64 MiB of runway in 128 ms
		{64 * MiB, 100, 700 * MiB, true},  // in 91 ms
		{2 * MiB, -1, 1e12, false},        // GOGC=off
		{2 * MiB, 400, 100 * MiB, false},  // GOGC=400: 16 MiB of runway, 160 ms
	} {
		if got := Pressed(c.live, c.base, c.rate); got != c.want {
			t.Errorf("Pressed(%d, %d, %g) = %v, want %v", c.live, c.base, c.rate, got, c.want)
		}
	}
}

// TestFloorFewerCycles allocates the same garbage, with a live heap of a
// few megabytes, before and after Set: without a floor the collector runs
// about every 4 MiB, with a 64 MiB one at most every 32 MiB (a cycle starts
// before the heap reaches its goal, so that marking ends by then). It runs once in
// the process, since Set lasts for the process's life.
func TestFloorFewerCycles(t *testing.T) {
	if debug.SetGCPercent(100) != 100 {
		t.Skip("GOGC is set in the environment")
	}
	const garbage = 512 << 20
	without := cycles(garbage)
	Set(64 << 20)
	defer Set(0)
	with := cycles(garbage)
	t.Logf("cycles over %d MiB of garbage: %d without a floor, %d with 64 MiB", garbage>>20, without, with)
	if want := uint32(garbage / (32 << 20)); with > want {
		t.Errorf("%d cycles with a 64 MiB floor over %d MiB of garbage, want at most %d", with, garbage>>20, want)
	}
	if without < 4*with {
		t.Errorf("%d cycles without a floor against %d with it: the floor should cut them at least fourfold", without, with)
	}
}

// sink keeps each allocation from being optimized away.
var sink []byte

// cycles allocates bytes of garbage in 64 KiB pieces and counts the
// collection cycles that ran meanwhile.
func cycles(bytes int) uint32 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range bytes / (64 << 10) {
		sink = make([]byte, 64<<10)
	}
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}
