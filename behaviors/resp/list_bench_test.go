package resp

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
)

// gcCPU returns the CPU seconds the garbage collector has spent so far.
func gcCPU() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64()
}

// BenchmarkListPush pushes 3-byte values at the head of one list up to a
// million elements (then starts a new one), as redis-benchmark -t lpush does
// to its one key, and reports the collections and the collector's CPU per
// push besides the time and bytes.
func BenchmarkListPush(b *testing.B) {
	v := []byte("xxx")
	l := &List{}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	gc0 := gcCPU()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if l.Len() == 1_000_000 {
			l = &List{}
		}
		l.PushFront(v)
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.NumGC-ms0.NumGC)/float64(b.N)*1e6, "GCs/Mop")
	b.ReportMetric((gcCPU()-gc0)*1e9/float64(b.N), "gc-cpu-ns/op")
}

// BenchmarkListRange reads 500 000 elements in order, as LRANGE key 0 -1
// does (the command writes each into the reply).
func BenchmarkListRange(b *testing.B) {
	l := &List{}
	for i := range 500_000 {
		l.PushBack([]byte(fmt.Sprint(i)))
	}
	b.ResetTimer()
	n := 0
	for range b.N {
		for _, e := range l.Range(0, l.Len()-1) {
			n += len(e)
		}
	}
	if n == 0 {
		b.Fatal("nothing read")
	}
}

// TestListHeapPerElement checks what a list really costs on the heap (not
// the model memory.go counts): per element of a list of a million 3-byte
// elements (28.4 bytes when each element was its own allocation behind a
// 24-byte slot; now at most 16: a span of 8 and the bytes in an arena), and
// per list of 100 000 short lists, which must cost no more than they did
// (256, 288 and 576 bytes for 1, 3 and 9 elements of 5 bytes).
func TestListHeapPerElement(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	before := heapAfterGC()
	l := &List{}
	for range 1_000_000 {
		l.PushFront([]byte("xxx")) // LPUSH's argument: the caller's buffer
	}
	per := float64(heapAfterGC()-before) / 1e6
	runtime.KeepAlive(l)
	t.Logf("1 000 000 elements of 3 bytes: %.1f heap bytes per element", per)
	if per > 16 {
		t.Errorf("1 000 000 elements of 3 bytes: %.1f heap bytes per element; want at most 16", per)
	}
	l = nil
	for _, tc := range []struct {
		n   int
		max float64
	}{{1, 256}, {3, 288}, {9, 576}} {
		lists := make([]*List, 100_000)
		base := heapAfterGC()
		for i := range lists {
			lists[i] = &List{}
			for k := range tc.n {
				lists[i].PushBack([]byte(fmt.Sprint("job:", k))) // 5 bytes
			}
		}
		per := float64(heapAfterGC()-base) / 1e5
		runtime.KeepAlive(lists)
		t.Logf("100 000 lists of %d elements: %.1f heap bytes per list", tc.n, per)
		if per > tc.max {
			t.Errorf("100 000 lists of %d elements: %.1f heap bytes per list; want at most %.0f", tc.n, per, tc.max)
		}
	}
}

// TestListAllocs checks what pushes and pops allocate, as a fraction
// (testing.AllocsPerRun rounds down to whole allocations): a short queue's
// LPUSH and RPOP, a compaction of its arena every dozen or so (1 when each
// element was an allocation; 0.8-1.3 when a queue's span slice grew and
// shrank back at each turn), and a growing list's pushes, an arena and a
// span slice per 128 elements.
func TestListAllocs(t *testing.T) {
	if RaceEnabled {
		t.Skip("allocation counts are not production's under -race")
	}
	v := []byte("job:1")
	for _, n := range []int{1, 5, 9} {
		q := &List{}
		for range n {
			q.PushFront(v)
		}
		if got := mallocsPerRun(100_000, func() { q.PushFront(v); q.PopBack() }); got > 0.25 {
			t.Errorf("a queue of %d elements: %.3f allocations a push and pop; want at most 0.25", n, got)
		}
	}
	big := &List{}
	if got := mallocsPerRun(1_000_000, func() { big.PushFront(v) }); got > 0.05 {
		t.Errorf("a growing list: %.3f allocations a push; want at most 0.05", got)
	}
}

// TestListBigThenSmall checks that a short element pushed after a big one
// (which is a chunk of its own) does not get an arena sized from the big
// one's: 1000 pairs of 10 KiB and 3 bytes cost 19 587 heap bytes a pair when
// the short one's chunk reserved 8 KiB, about 10 411 now.
func TestListBigThenSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	big := make([]byte, 10<<10)
	l := &List{}
	before := heapAfterGC()
	for range 1000 {
		l.PushBack(big)
		l.PushBack([]byte("xxx"))
	}
	per := float64(heapAfterGC()-before) / 1000
	runtime.KeepAlive(l)
	t.Logf("1000 pairs of 10 KiB and 3 bytes: %.0f heap bytes a pair", per)
	if per > 10<<10+1024 {
		t.Errorf("1000 pairs of 10 KiB and 3 bytes: %.0f heap bytes a pair; want at most %d", per, 10<<10+1024)
	}
}

// mallocsPerRun is testing.AllocsPerRun without its rounding down: a fraction
// of an allocation per run is what a pooled or amortized path costs.
func mallocsPerRun(runs int, f func()) float64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&b)
	return float64(b.Mallocs-a.Mallocs) / float64(runs)
}

// TestListHeapPerData checks that a list's heap stays close to what it
// holds, its elements' bytes and an 8-byte offset each, whatever its shape:
// a few large elements (9 of 1000 bytes cost 18 936 heap bytes, 2.09 times,
// when a second chunk reserved a full chunk's arena and 128 offsets for one
// element and the first chunk's arena grew past the chunk's 8 KiB), a few
// big ones (chunks of their own), many small ones, and a queue (pushed and
// popped until its arena holds garbage and room, at most its live bytes
// each).
func TestListHeapPerData(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	for _, tc := range []struct {
		name       string
		n, size    int
		queueTurns int
		max        float64
	}{
		{"9 of 1000 bytes", 9, 1000, 0, 1.25},
		{"41 of 200 bytes", 41, 200, 0, 1.25},
		{"3 of 5000 bytes", 3, 5000, 0, 1.25},
		{"200 of 10 bytes", 200, 10, 0, 1.5},
		{"100 000 of 3 bytes", 100_000, 3, 0, 1.25},
		{"a queue of 10 of 100 bytes", 10, 100, 1000, 2.5},
	} {
		v := make([]byte, tc.size)
		lists := make([]*List, max(1, 4_000_000/(tc.n*tc.size)))
		before := heapAfterGC()
		for i := range lists {
			l := &List{}
			for range tc.n {
				l.PushBack(v)
			}
			for range tc.queueTurns {
				l.PushBack(v)
				l.PopFront()
			}
			lists[i] = l
		}
		heap := float64(heapAfterGC()-before) / float64(len(lists))
		runtime.KeepAlive(lists)
		data := float64(tc.n * (tc.size + 8))
		t.Logf("%-28s %9.0f heap bytes a list, %.2f times its %d bytes of data (%.2f with its offsets)", tc.name+":", heap, heap/float64(tc.n*tc.size), tc.n*tc.size, heap/data)
		if heap > tc.max*data {
			t.Errorf("%s: %.0f heap bytes a list, %.2f times its bytes and offsets (%.0f); want at most %.2f", tc.name, heap, heap/data, data, tc.max)
		}
	}
}
