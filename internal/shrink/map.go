// Package shrink has Map, a Go map that gives its memory back once most of
// what it held has gone.
package shrink

// Map is a Go map that gives its memory back once most of what it held has
// gone. A Go map never shrinks: it keeps the buckets of its deleted keys,
// and a walk of it visits them. So a map whose keys come and go with what
// clients do (connections, keys with a time to live, subscriptions, watched
// keys, parked requests, rooms) would hold, after a burst, the memory of its
// largest moment for good, as Redis's dicts do not (they shrink). Map keeps
// its peak, the most keys it has held since it was made, and Delete makes
// the map anew once it holds under a quarter of that: the O(len) copy is
// paid for by the three quarters deleted since the peak. (maps.Clone would
// keep the buckets.)
//
// Read M as any map (index it, range over it, take its len); change it only
// through Set and Delete, which keep the peak. The zero value is an empty
// map. Set and Delete are small enough to be inlined: a caller pays no more
// than it did with a map and its peak beside it.
//
// A Delete during a range over M may make M anew: the range goes on over
// the old map, which still holds the keys deleted after that. A walk that
// deletes the key it is at is fine; one that deletes others looks each key
// up in M again, or deletes after the walk.
type Map[K comparable, V any] struct {
	M    map[K]V
	peak int // the most keys M has held since it was made
}

// MinPeak is the peak under which a Map is never made anew: copying a
// small map would cost more than its buckets.
const MinPeak = 128

// Set makes v the value of k.
func (s *Map[K, V]) Set(k K, v V) {
	if s.M == nil {
		s.M = map[K]V{}
	}
	s.M[k] = v
	s.peak = max(s.peak, len(s.M))
}

// Delete removes k (if there), and makes M anew once it holds under a
// quarter of its peak.
func (s *Map[K, V]) Delete(k K) {
	delete(s.M, k)
	if s.peak >= MinPeak && len(s.M) < s.peak/4 {
		s.remake()
	}
}

// remake makes M anew, sized for what it holds now, which becomes its peak.
func (s *Map[K, V]) remake() {
	fresh := make(map[K]V, len(s.M))
	for k, v := range s.M {
		fresh[k] = v
	}
	s.M, s.peak = fresh, len(fresh)
}

// Clear empties the map, its buckets and peak gone with it.
func (s *Map[K, V]) Clear() { s.M, s.peak = nil, 0 }

// Peak is the most keys M has held since it was made (or cleared).
func (s *Map[K, V]) Peak() int { return s.peak }
