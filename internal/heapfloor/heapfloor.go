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
)

// maxPercent bounds the GOGC the floor may set: a live heap of a few
// hundred kilobytes would ask for more, and the floor is met well before.
const maxPercent = 10000

var (
	floor   atomic.Int64 // bytes; 0: off
	base    int          // the GOGC in force when Set first ran (100 unless the environment says)
	once    sync.Once
	samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	mu      sync.Mutex // guards samples
)

// Set makes every collection cycle from now on keep the heap's goal at
// least floor bytes above the live heap; 0 turns that off (base GOGC from
// the next cycle on). The first Set arms the per-cycle adjustment, which
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
// marked.
func adjust() {
	debug.SetGCPercent(Percent(floor.Load(), liveHeap(), base))
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
	const minHeap = 4 << 20 // the runtime's defaultHeapMinimum, its heap minimum at GOGC=100
	p := (live + floor) * 100 / minHeap
	if live > 0 {
		p = min(p, floor*100/live)
	}
	return int(min(max(p, int64(base)), maxPercent))
}

// liveHeap is the heap the last cycle found live, in bytes (0 before the
// first cycle).
func liveHeap() int64 {
	mu.Lock()
	defer mu.Unlock()
	metrics.Read(samples)
	if samples[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(samples[0].Value.Uint64())
}
