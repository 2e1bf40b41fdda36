package resp

import (
	"runtime"
	"strconv"
	"testing"
)

// TestMemoryEstimate ensures the estimate (memory.go) is within a factor of
// 1.5 of what the Go heap grows by for each kind of data: many string keys
// (with and without a time to live), one key of each collection type with
// many elements, small and large, and, as a list's slack depends on its
// shape, many short lists and many short queues (LPUSH and RPOP, until
// their chunks' arenas and span slots are what a queue's become). It logs
// each ratio (estimate / heap growth): the numbers behind the overheads'
// values. (Lists were counted 48 bytes an element and their lengths, 3.11
// times the heap for 10-byte elements; keys of 3 and queues of 10 200-byte
// elements were under-counted, 0.85 and 0.57.)
func TestMemoryEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates about 100 MB")
	}
	const n = 50000
	elem := func(i, size int) []byte {
		b := []byte(strconv.Itoa(i) + "-")
		for len(b) < size {
			b = append(b, 'x')
		}
		return b
	}
	cases := []struct {
		name string
		fill func(db *DB, size int)
	}{
		{"string keys", func(db *DB, size int) {
			for i := range n {
				db.Set(elem(i, 8), &Str{B: elem(i, size)}, false)
			}
		}},
		{"string keys with a TTL", func(db *DB, size int) {
			for i := range n {
				k := elem(i, 8)
				db.Set(k, &Str{B: elem(i, size)}, false)
				db.Expire(k, 1<<50)
			}
		}},
		{"list", func(db *DB, size int) {
			l := &List{}
			db.Set([]byte("l"), l, false)
			for i := range n {
				l.PushBack(elem(i, size))
			}
			db.Changed([]byte("l"))
		}},
		{"lists of 3", func(db *DB, size int) {
			for i := range n / 3 {
				l := &List{}
				for k := range 3 {
					l.PushBack(elem(k, size))
				}
				db.Set(elem(i, 8), l, false)
			}
		}},
		{"queues of 10", func(db *DB, size int) {
			for i := range n / 10 {
				q := &List{}
				for k := range 10 {
					q.PushFront(elem(k, size))
				}
				for k := range 100 {
					q.PushFront(elem(k, size))
					q.PopBack()
				}
				db.Set(elem(i, 8), q, false)
			}
		}},
		{"hash", func(db *DB, size int) {
			h := newHash()
			db.Set([]byte("h"), h, false)
			for i := range n {
				h.Set(elem(i, 8), elem(i, size))
			}
			db.Changed([]byte("h"))
		}},
		{"set", func(db *DB, size int) {
			s := newSet()
			db.Set([]byte("s"), s, false)
			for i := range n {
				s.Add(string(elem(i, size)))
			}
			db.Changed([]byte("s"))
		}},
		{"sorted set", func(db *DB, size int) {
			z := newZset()
			db.Set([]byte("z"), z, false)
			for i := range n {
				z.insert(string(elem(i, size)), float64(i))
			}
			db.Changed([]byte("z"))
		}},
	}
	for _, c := range cases {
		for _, size := range []int{10, 200} {
			st := NewStore(&config{})
			before := heapNow()
			c.fill(st.dbs[0], size)
			heap := heapNow() - before
			est := st.usedMemory()
			ratio := float64(est) / float64(heap)
			t.Logf("%-24s %4d-byte elements: estimate %9d, heap %9d, ratio %.2f", c.name, size, est, heap, ratio)
			if ratio < 1/1.5 || ratio > 1.5 {
				t.Errorf("%s, %d-byte elements: estimate %d is %.2f times the heap's growth %d; want within 1.5 times either way", c.name, size, est, ratio, heap)
			}
			runtime.KeepAlive(st)
		}
	}
}

func heapNow() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
