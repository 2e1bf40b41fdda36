package shrink

import (
	"strconv"
	"testing"
)

// TestMapShrinks ensures a Map is made anew once it holds under a quarter
// of its peak, and not before: its peak, which Set keeps and the remake
// resets, says which.
func TestMapShrinks(t *testing.T) {
	const n = 1000
	var s Map[int, int]
	for i := range n {
		s.Set(i, i)
	}
	s.Set(0, 1) // a key there already: no growth
	if s.Peak() != n || len(s.M) != n {
		t.Fatalf("after %d sets: peak %d, len %d; want %d, %d", n, s.Peak(), len(s.M), n, n)
	}
	for i := range n - n/4 {
		s.Delete(i)
	}
	if s.Peak() != n {
		t.Fatalf("holding a quarter of its peak: peak %d, want %d (made anew too soon)", s.Peak(), n)
	}
	s.Delete(n - n/4)
	if want := n/4 - 1; s.Peak() != want || len(s.M) != want {
		t.Fatalf("under a quarter of its peak: peak %d, len %d; want %d, %d (never made anew)", s.Peak(), len(s.M), want, want)
	}
	for i := n - n/4 + 1; i < n; i++ {
		if s.M[i] != i {
			t.Fatalf("key %d: %d after the remake, want %d", i, s.M[i], i)
		}
	}
}

// TestMapSmallStays ensures a map that never held MinPeak keys is never
// made anew.
func TestMapSmallStays(t *testing.T) {
	var s Map[string, bool]
	for i := range MinPeak - 1 {
		s.Set(strconv.Itoa(i), true)
	}
	for i := range MinPeak - 2 {
		s.Delete(strconv.Itoa(i))
	}
	if s.Peak() != MinPeak-1 || len(s.M) != 1 {
		t.Fatalf("peak %d, len %d; want %d, 1", s.Peak(), len(s.M), MinPeak-1)
	}
	s.Clear()
	if s.Peak() != 0 || len(s.M) != 0 {
		t.Fatalf("cleared: peak %d, len %d", s.Peak(), len(s.M))
	}
}
