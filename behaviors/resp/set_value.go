package resp

import (
	"math/rand/v2"
	"slices"
	"strconv"
)

// Set is a set value, in one of Redis 7.0's two encodings, which clients can
// see (OBJECT ENCODING, the order of SMEMBERS, SSCAN's cursors):
//
//   - "intset" while every member is an integer (as Redis's string2ll reads
//     one: no sign '+', no leading zero) and there are at most
//     setMaxIntsetEntries: the members as sorted int64s, so SMEMBERS lists
//     them in numeric order and SSCAN returns them all at once, as Redis does;
//   - "hashtable" for good after that: a memberTable (insertion order, O(1)
//     random members, exact scan cursors).
type Set struct {
	ints  []int64                // intset: sorted; used while table is nil
	table *memberTable[struct{}] // hashtable
}

// setMaxIntsetEntries is Redis's set-max-intset-entries default.
const setMaxIntsetEntries = 512

var _ Value = (*Set)(nil)

func newSet() *Set { return &Set{} }

// Type implements Value.
func (s *Set) Type() string { return "set" }

// Encoding implements Value: the encoding Redis 7.0 would have.
func (s *Set) Encoding() string {
	if s.table == nil {
		return "intset"
	}
	return "hashtable"
}

// Len is the number of members.
func (s *Set) Len() int {
	if s.table == nil {
		return len(s.ints)
	}
	return s.table.len()
}

// setInt reads m as an intset member.
func setInt(m string) (int64, bool) { return parseInt([]byte(m)) }

// Has reports whether m is a member.
func (s *Set) Has(m string) bool {
	if s.table != nil {
		return s.table.has(m)
	}
	v, ok := setInt(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

// Add adds m; false if it was a member already.
func (s *Set) Add(m string) bool {
	if s.table == nil {
		if v, ok := setInt(m); ok {
			i, found := slices.BinarySearch(s.ints, v)
			if found {
				return false
			}
			if len(s.ints) < setMaxIntsetEntries {
				s.ints = slices.Insert(s.ints, i, v)
				return true
			}
		}
		s.toTable()
	}
	return s.table.add(m, struct{}{})
}

// toTable converts an intset to a hashtable, keeping the members' order.
func (s *Set) toTable() {
	s.table = newMemberTable[struct{}]()
	for _, v := range s.ints {
		s.table.add(strconv.FormatInt(v, 10), struct{}{})
	}
	s.ints = nil
}

// Remove removes m; false if it was not a member.
func (s *Set) Remove(m string) bool {
	if s.table != nil {
		_, ok := s.table.remove(m)
		return ok
	}
	v, ok := setInt(m)
	if !ok {
		return false
	}
	i, found := slices.BinarySearch(s.ints, v)
	if found {
		s.ints = slices.Delete(s.ints, i, i+1)
	}
	return found
}

// Random returns a uniformly random member; the set must not be empty.
func (s *Set) Random() string {
	if s.table != nil {
		m, _ := s.table.random()
		return m
	}
	return strconv.FormatInt(s.ints[rand.IntN(len(s.ints))], 10)
}

// Each calls fn for every member (numeric order for an intset, insertion
// order for a hashtable) until fn returns false.
func (s *Set) Each(fn func(m string) bool) {
	if s.table != nil {
		s.table.each(func(m string, _ struct{}) bool { return fn(m) })
		return
	}
	for _, v := range s.ints {
		if !fn(strconv.FormatInt(v, 10)) {
			return
		}
	}
}

// Members returns every member, in Each's order.
func (s *Set) Members() []string {
	out := make([]string, 0, s.Len())
	s.Each(func(m string) bool { out = append(out, m); return true })
	return out
}

// Scan is SSCAN's walk: an intset is returned whole (cursor 0), as Redis
// returns a small encoding; a hashtable from cursor, count members at a time.
func (s *Set) Scan(cursor uint64, count int, fn func(m string)) uint64 {
	if s.table == nil {
		s.Each(func(m string) bool { fn(m); return true })
		return 0
	}
	return s.table.scan(cursor, count, func(m string, _ struct{}) { fn(m) })
}
