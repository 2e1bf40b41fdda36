package resp

// shrinkingMap is a Go map that gives its memory back once most of what it
// held has gone. A Go map never shrinks: it keeps the buckets of its deleted
// keys, and a walk of it visits them. So a map whose keys come and go with
// what clients do (keys with a time to live, connections, subscriptions,
// watched keys, parked requests) would hold, after a burst, the memory of
// its largest moment for good, as Redis's dicts do not (they shrink).
// shrinkingMap keeps its peak, the most keys it has held since it was made,
// and delete makes the map anew once it holds under a quarter of that: the
// O(len) copy is paid for by the three quarters deleted since the peak.
// (maps.Clone would keep the buckets.)
//
// Read m as any map (index it, range over it, take its len); change it only
// through set and delete, which keep the peak. The zero value is an empty
// map. set and delete are small enough to be inlined: a command pays no
// more than it did with the map and its peak beside it.
type shrinkingMap[K comparable, V any] struct {
	m    map[K]V
	peak int // the most keys m has held since it was made
}

// shrinkMinPeak is the peak under which a shrinkingMap is never made anew.
const shrinkMinPeak = 128

// set makes v the value of k.
func (s *shrinkingMap[K, V]) set(k K, v V) {
	if s.m == nil {
		s.m = map[K]V{}
	}
	s.m[k] = v
	s.peak = max(s.peak, len(s.m))
}

// delete removes k (if there), and makes m anew once it holds under a
// quarter of its peak.
func (s *shrinkingMap[K, V]) delete(k K) {
	delete(s.m, k)
	if s.peak >= shrinkMinPeak && len(s.m) < s.peak/4 {
		s.remake()
	}
}

// remake makes m anew, sized for what it holds now, which becomes its peak.
func (s *shrinkingMap[K, V]) remake() {
	fresh := make(map[K]V, len(s.m))
	for k, v := range s.m {
		fresh[k] = v
	}
	s.m, s.peak = fresh, len(fresh)
}

// clear empties the map, its buckets and peak gone with it.
func (s *shrinkingMap[K, V]) clear() { s.m, s.peak = nil, 0 }
