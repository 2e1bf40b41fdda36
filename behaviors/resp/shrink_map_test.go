package resp

import "testing"

// TestShrinkingMapShrinks ensures a shrinkingMap is made anew once it holds
// under a quarter of its peak, and not before: its peak, which set keeps
// and remake resets, says which.
func TestShrinkingMapShrinks(t *testing.T) {
	const n = 1000
	var s shrinkingMap[int, int]
	for i := range n {
		s.set(i, i)
	}
	s.set(0, 1) // a key there already: no growth
	if s.peak != n || len(s.m) != n {
		t.Fatalf("after %d sets: peak %d, len %d; want %d, %d", n, s.peak, len(s.m), n, n)
	}
	for i := range n - n/4 {
		s.delete(i)
	}
	if s.peak != n {
		t.Fatalf("holding a quarter of its peak: peak %d, want %d (made anew too soon)", s.peak, n)
	}
	s.delete(n - n/4)
	if want := n/4 - 1; s.peak != want || len(s.m) != want {
		t.Fatalf("under a quarter of its peak: peak %d, len %d; want %d, %d (never made anew)", s.peak, len(s.m), want, want)
	}
	for i := n - n/4 + 1; i < n; i++ {
		if s.m[i] != i {
			t.Fatalf("key %d: %d after the remake, want %d", i, s.m[i], i)
		}
	}
}

// TestShrinkingMapSmallStays ensures a map that never held shrinkMinPeak
// keys is never made anew: copying a small map would cost more than its
// buckets.
func TestShrinkingMapSmallStays(t *testing.T) {
	var s shrinkingMap[string, bool]
	for i := range shrinkMinPeak - 1 {
		s.set(string(rune('a'+i)), true)
	}
	for i := range shrinkMinPeak - 2 {
		s.delete(string(rune('a' + i)))
	}
	if s.peak != shrinkMinPeak-1 || len(s.m) != 1 {
		t.Fatalf("peak %d, len %d; want %d, 1", s.peak, len(s.m), shrinkMinPeak-1)
	}
	s.clear()
	if s.peak != 0 || len(s.m) != 0 {
		t.Fatalf("cleared: peak %d, len %d", s.peak, len(s.m))
	}
}
