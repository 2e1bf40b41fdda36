package resp

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// memberTable holds the distinct members of a set (V struct{}) or a sorted set
// (V its skiplist node), with what Redis's dict gives those types and a Go map
// alone does not:
//
//   - a uniformly random member in O(1) (SPOP, SRANDMEMBER, ZRANDMEMBER): the
//     members sit in a slice, so a random index is one;
//   - a scan cursor with SCAN's guarantee (a member present for the whole scan
//     is returned at least once, and none twice): every member gets the next
//     number of a sequence when it is added, slots stay in that order (new
//     members are appended, compaction keeps the order), and the cursor is
//     the sequence number to go on from, found by binary search.
//
// A removed member leaves a dead slot; when dead slots outnumber live ones the
// slice is compacted (O(n), amortized O(1) per removal). Members iterate in
// insertion order, which is as good as Redis's hash order for every command
// (clients may not rely on either). A scan that members are added to faster
// than COUNT per call may take long to end, as new members join its tail.
type memberTable[V any] struct {
	index map[string]int // member -> its slot
	slots []memberSlot[V]
	live  int
	bytes int    // the members' lengths, summed (for memory accounting)
	seq   uint64 // the last sequence number given to a member
}

type memberSlot[V any] struct {
	member string
	val    V
	seq    uint64 // increasing along the slice; 0 never (cursor 0 starts a scan)
	live   bool
}

func newMemberTable[V any]() *memberTable[V] {
	return &memberTable[V]{index: map[string]int{}}
}

func (t *memberTable[V]) len() int { return t.live }

func (t *memberTable[V]) get(m string) (V, bool) {
	i, ok := t.index[m]
	if !ok {
		var zero V
		return zero, false
	}
	return t.slots[i].val, true
}

// getBytes is get of m as bytes, without making a string of it.
func (t *memberTable[V]) getBytes(m []byte) (V, bool) {
	i, ok := t.index[string(m)]
	if !ok {
		var zero V
		return zero, false
	}
	return t.slots[i].val, true
}

func (t *memberTable[V]) has(m string) bool {
	_, ok := t.index[m]
	return ok
}

// add adds m with v; false (and nothing changed) if m is a member already.
func (t *memberTable[V]) add(m string, v V) bool {
	if _, ok := t.index[m]; ok {
		return false
	}
	t.index[m] = len(t.slots)
	t.seq++
	t.slots = append(t.slots, memberSlot[V]{member: m, val: v, seq: t.seq, live: true})
	t.live++
	t.bytes += len(m)
	return true
}

// setBytes replaces the value of m, which must be a member.
func (t *memberTable[V]) setBytes(m []byte, v V) { t.slots[t.index[string(m)]].val = v }

// remove removes m; false if it was not a member.
func (t *memberTable[V]) remove(m string) (V, bool) {
	i, ok := t.index[m]
	if !ok {
		var zero V
		return zero, false
	}
	v := t.slots[i].val
	delete(t.index, m)
	t.slots[i] = memberSlot[V]{seq: t.slots[i].seq} // dead; keeps its place in the order
	t.live--
	t.bytes -= len(m)
	if dead := len(t.slots) - t.live; dead > t.live && dead >= 16 || t.live == 0 {
		t.compact()
	}
	return v, true
}

// compact drops the dead slots. The index is made anew: a Go map never
// gives back the buckets of deleted keys, so a table that held a million
// members and holds ten would keep a million's buckets (Redis's dict
// shrinks); the new one is sized for the live members.
func (t *memberTable[V]) compact() {
	slots := make([]memberSlot[V], 0, t.live)
	t.index = make(map[string]int, t.live)
	for _, s := range t.slots {
		if s.live {
			t.index[s.member] = len(slots)
			slots = append(slots, s)
		}
	}
	t.slots = slots
}

// random returns a uniformly random member; the table must not be empty.
// Dead slots are at most half (plus 16), so this takes two tries on average.
func (t *memberTable[V]) random() (string, V) {
	for {
		if s := t.slots[rand.IntN(len(t.slots))]; s.live {
			return s.member, s.val
		}
	}
}

// each calls fn for every member in table order until fn returns false.
func (t *memberTable[V]) each(fn func(m string, v V) bool) {
	for _, s := range t.slots {
		if s.live && !fn(s.member, s.val) {
			return
		}
	}
}

// scan calls fn for up to count members from cursor on and returns the
// cursor to continue from (0 at the end). A cursor is a sequence number; one
// the table never gave (a client's guess) just starts at the next member.
func (t *memberTable[V]) scan(cursor uint64, count int, fn func(m string, v V)) uint64 {
	i, _ := slices.BinarySearchFunc(t.slots, cursor, func(s memberSlot[V], c uint64) int { return cmp.Compare(s.seq, c) })
	for visited := 0; i < len(t.slots) && visited < count; i++ {
		if s := t.slots[i]; s.live {
			fn(s.member, s.val)
			visited++
		}
	}
	if i >= len(t.slots) {
		return 0
	}
	return t.slots[i].seq
}
