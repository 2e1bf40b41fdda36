// Package heapfloor keeps Go's garbage collector from running while the
// heap is small. With GOGC=100 the collector runs whenever the heap has
// doubled since the last cycle, so a server whose live heap is a few
// megabytes but which allocates per request (a parsed command, a reply, an
// HTTP header) collects dozens of times a second, and each cycle's fixed
// costs (scanning every goroutine's stack, the sweeps) are paid every time:
// 12-15% of the resp behavior's CPU at redis-benchmark -P 16 went to the
// collector (docs/benchmarks.md). A floor lets garbage gather up to floor
// bytes before a cycle, while the live heap is below it, and leaves Go's
// pacing as GOGC has it once the live heap is larger: the heap's goal after
// each cycle is
//
//	max(live × (1 + GOGC/100), live + floor)
//
// so the floor costs at most floor bytes of memory, never a multiple of
// what is live (raising GOGC for good would let a large heap grow fivefold).
//
// It applies only under allocation pressure: while the program allocates
// fast enough that GOGC alone would start a cycle more often than every
// pressureWindow. A server that is quiet, or that allocates slowly (idle
// connections coming in), keeps GOGC's pacing and so no more garbage than
// it would have had: its resident memory is unchanged. Pressure is judged
// by the allocation rate since the last cycle, not by how often cycles
// come, which the floor itself changes.
//
// It works by setting GOGC (debug.SetGCPercent) once per cycle, from the
// finalizer of an object each cycle frees: the runtime's own tuning knob,
// adjusted as runtime/metrics reports the live heap, as gctuner-style
// tuners do. A GOMEMLIMIT still applies over it.
package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// maxPercent bounds the GOGC the floor may set: a live heap of a few
// hundred kilobytes would ask for more, and the floor is met well before.
const maxPercent = 10000

// pressureWindow is the interval between cycles under GOGC alone below which
// the floor applies: ten cycles a second.
const pressureWindow = 100 * time.Millisecond

var (
	floor atomic.Int64 // bytes; 0: off
	base  int          // the GOGC in force when Set first ran (100 unless the environment says)
	once  sync.Once

	mu      sync.Mutex // guards what follows
	samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	last    struct {
		allocs uint64    // /gc/heap/allocs:bytes at the last adjust
		at     time.Time // when
	}
)

// Set makes every collection cycle from now on, while allocation presses
// (Pressed), keep the heap's goal at least floor bytes above the live heap;
// 0 turns that off (base GOGC from the next cycle on). The first Set arms the per-cycle adjustment, which
// lasts for the process's life.
func Set(bytes int64) {
	once.Do(func() {
		base = debug.SetGCPercent(100)
		debug.SetGCPercent(base)
		arm()
	})
	floor.Store(max(bytes, 0))
	adjust()
}

// sentinel is the object each cycle frees; its finalizer adjusts GOGC and
// makes the next one. 16 bytes and a pointer keep it out of the tiny
// allocator, whose blocks may be shared and freed late.
type sentinel struct {
	_ *byte
	_ int64
}

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		adjust()
		arm()
	})
}

// adjust sets GOGC for the next cycle from the live heap the last one
// marked and the allocation rate since the last adjust.
func adjust() {
	mu.Lock()
	defer mu.Unlock()
	metrics.Read(samples)
	live, allocs := uint64Of(samples[0]), uint64Of(samples[1])
	t := time.Now()
	rate := 0.0 // bytes a second
	if !last.at.IsZero() && allocs >= last.allocs {
		rate = float64(allocs-last.allocs) / max(t.Sub(last.at).Seconds(), 1e-6)
	}
	last.allocs, last.at = allocs, t
	p := base
	if Pressed(int64(live), base, rate) {
		p = Percent(floor.Load(), int64(live), base)
	}
	debug.SetGCPercent(p)
}

func uint64Of(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}

// minHeap is the runtime's defaultHeapMinimum: its heap minimum at GOGC=100.
const minHeap = 4 << 20

// Pressed reports whether allocating rate bytes a second would start
// cycles more often than every pressureWindow under base alone, with live
// bytes live.
func Pressed(live int64, base int, rate float64) bool {
	if base < 0 {
		return false
	}
	runway := max(live*int64(base)/100, minHeap*int64(base)/100)
	return rate*pressureWindow.Seconds() > float64(runway)
}

// Percent is the GOGC that puts the heap's goal floor bytes above live
// bytes, or where base puts it if that is higher (base < 0, GOGC=off, is
// left as it is). The runtime's goal is live × (1 + GOGC/100), but never
// below its minimum heap, 4 MiB × GOGC/100: below 4 MiB live the minimum
// decides, so the smaller of the two percentages that reach live + floor
// is the one that does.
func Percent(floor, live int64, base int) int {
	if base < 0 || floor <= 0 {
		return base
	}
	p := (live + floor) * 100 / minHeap
	if live > 0 {
		p = min(p, floor*100/live)
	}
	return int(min(max(p, int64(base)), maxPercent))
}
