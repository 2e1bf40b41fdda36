package resp

import "sync/atomic"

// List is a list value: a deque of chunks, each chunk up to listChunkCap
// elements whose bytes are copied into one byte arena (no pointers: the
// garbage collector scans two pointers per chunk, not one per element), as
// Redis keeps a quicklist of listpacks. Pushes and pops at either end are
// O(1) amortized; At, Set and Insert find their chunk by walking the chunks
// from the nearer end, O(n/listChunkCap); an insert moves the elements of its
// own chunk, splitting it in two once it is full; a removal (LREM) with a
// count is O(the elements up to its last match), one of every match rebuilds
// the list, O(n).
//
// An element the list hands out (At, PopFront, PopBack, Range, walk) never
// changes afterwards, whatever the list does next: a reply may hold it after
// the key space has moved on, LMOVE pushes it into another list. So arenas are
// append-only: Set appends the new value and leaves the old bytes as garbage,
// and a chunk whose garbage outgrows its live bytes is compacted into a new
// arena (the old one stays as it was for whoever holds its elements). Handed
// out slices have their capacity capped, so an append by the caller copies.
// The values handed in are copied into the arena: callers need not clone them.
//
// An element over listBigElem bytes is a chunk of its own, its arena exactly
// the element, so a big element is copied once and never again.
//
// The zero List is empty and ready to use; the key space deletes a list's key
// when its last element goes (Redis keeps no empty collections).
type List struct {
	ring []listChunk // len(ring) is 0 or a power of two
	head int         // index in ring of chunk 0
	nc   int         // chunks held
	n    int         // elements held
	room int         // the chunks' sizes (listChunk.size), summed: memory.go counts it
}

// Type implements Value.
func (l *List) Type() string { return "list" }

// Encoding implements Value: Redis 7.0 keeps every list as a quicklist.
func (l *List) Encoding() string { return "quicklist" }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// At returns element i (0 <= i < Len()).
func (l *List) At(i int) []byte {
	j, k := l.find(i)
	return l.chunk(j).at(k)
}

// Set replaces element i (0 <= i < Len()) with v (copied).
func (l *List) Set(i int, v []byte) {
	j, k := l.find(i)
	c := l.chunk(j)
	if c.spans == nil || len(v) > listBigElem {
		// The element gets a chunk of its own (a big one's is already).
		if k > 0 {
			l.split(j, k)
			j++
		}
		if l.chunk(j).count() > 1 {
			l.split(j, 1)
		}
		c = l.chunk(j)
		l.room -= c.size()
		*c = newListChunk(v, 1, false, 0)
		l.room += c.size()
		return
	}
	size := c.size()
	c.live -= int32(len(c.at(k)))
	c.spans[int(c.lo)+k] = c.add(v)
	c.tidy()
	l.room += c.size() - size
}

// PushBack appends v (copied) at the tail.
func (l *List) PushBack(v []byte) {
	l.n++
	if l.nc > 0 {
		if c := l.chunk(l.nc - 1); c.takes(v) {
			size := c.size()
			if c.roomBack() {
				c.spans[c.hi] = c.add(v)
				c.hi++
				l.room += c.size() - size
				return
			}
		}
	}
	l.insertChunk(l.nc, l.newChunk(v, l.nc-1, false))
}

// PushFront prepends v (copied) at the head.
func (l *List) PushFront(v []byte) {
	l.n++
	if l.nc > 0 {
		if c := l.chunk(0); c.takes(v) {
			size := c.size()
			if c.roomFront() {
				c.lo--
				c.spans[c.lo] = c.add(v)
				l.room += c.size() - size
				return
			}
		}
	}
	l.insertChunk(0, l.newChunk(v, 0, true))
}

// PopFront removes and returns the head element; the list must not be empty.
func (l *List) PopFront() []byte {
	c := l.chunk(0)
	v := c.at(0)
	c.lo++
	l.popped(0, c, v)
	return v
}

// PopBack removes and returns the tail element; the list must not be empty.
func (l *List) PopBack() []byte {
	j := l.nc - 1
	c := l.chunk(j)
	v := c.at(c.count() - 1)
	c.hi--
	l.popped(j, c, v)
	return v
}

// popped accounts for v's leaving chunk j (c), an end chunk.
func (l *List) popped(j int, c *listChunk, v []byte) {
	l.n--
	if c.count() == 0 {
		l.removeChunk(j)
		return
	}
	size := c.size()
	c.live -= int32(len(v))
	c.tidy()
	l.room += c.size() - size
}

// Insert puts v (copied) before element i (0 <= i <= Len(); i == Len()
// appends), moving the spans after it in its chunk by one.
func (l *List) Insert(i int, v []byte) {
	if i == 0 {
		l.PushFront(v)
		return
	}
	if i == l.n {
		l.PushBack(v)
		return
	}
	j, k := l.find(i)
	if len(v) > listBigElem || l.chunk(j).spans == nil {
		// Its own chunk, or next to a big element's chunk: a chunk of its own
		// too (the next insert there fills it).
		if k > 0 {
			l.split(j, k)
			j++
		}
		l.insertChunk(j, newListChunk(v, listMinSpans, false, 0))
		l.n++
		return
	}
	if l.chunk(j).count() == listChunkCap {
		l.split(j, listChunkCap/2)
		if k >= listChunkCap/2 {
			j, k = j+1, k-listChunkCap/2
		}
	}
	c := l.chunk(j)
	size := c.size()
	c.insert(k, v)
	l.room += c.size() - size
	l.n++
}

// Trim keeps elements start..stop (inclusive, 0 <= start <= stop < Len()) and
// drops the rest; Trim(0, -1) drops every element. Whole chunks go at once.
func (l *List) Trim(start, stop int) {
	for l.nc > 0 && l.n-l.chunk(l.nc-1).count() > stop {
		l.dropChunk(l.nc - 1)
	}
	for l.n > stop+1 {
		l.PopBack()
	}
	for l.nc > 0 && l.chunk(0).count() <= start {
		start -= l.chunk(0).count()
		l.dropChunk(0)
	}
	for ; start > 0; start-- {
		l.PopFront()
	}
}

// dropChunk removes end chunk j and its elements.
func (l *List) dropChunk(j int) {
	l.n -= l.chunk(j).count()
	l.removeChunk(j)
}

// listRemoveVisits counts the elements Remove has looked at, for the tests
// (TestLRemStopsAtItsLastMatch): LREM with a count looks no further than its
// last match, as Redis's does.
var listRemoveVisits atomic.Int64

// Remove deletes elements equal to v, as LREM does: the first count of them
// from the head when count > 0, the last -count from the tail when count < 0,
// every one when count == 0. It returns how many it deleted. The kept
// elements keep their order. With a count, it looks at the elements from its
// end up to its last match and no further, as Redis's LREM does: they are
// popped and the kept ones pushed back, O(that many). Every match (count 0)
// is a pass over the list, rebuilt from the kept elements (new arenas) when
// it deletes any.
func (l *List) Remove(v []byte, count int) int {
	if count == 0 {
		return l.removeAll(v)
	}
	back := count < 0
	want := count
	if back {
		want = -count
	}
	matches, upTo := 0, 0 // upTo: the elements from the end to the last match, inclusive
	visited := 0
	l.scan(back, func(_ int, e []byte) bool {
		visited++
		if string(e) == string(v) {
			matches++
			upTo = visited
		}
		return matches < want
	})
	listRemoveVisits.Add(int64(visited))
	if matches == 0 {
		return 0
	}
	// Every match among the first upTo is one to delete.
	popped := make([][]byte, upTo)
	for i := range popped {
		if back {
			popped[i] = l.PopBack()
		} else {
			popped[i] = l.PopFront()
		}
	}
	for i := len(popped) - 1; i >= 0; i-- {
		e := popped[i]
		switch {
		case string(e) == string(v):
		case len(e) > listBigElem:
			// A big element's arena is never written: the list keeps it.
			at := 0
			if back {
				at = l.nc
			}
			l.insertChunk(at, listChunk{data: e, hi: 1})
			l.n++
		case back:
			l.PushBack(e)
		default:
			l.PushFront(e)
		}
	}
	return matches
}

// removeAll deletes every element equal to v and returns how many it
// deleted: a pass over the list, and when it deletes any the list is rebuilt
// from the kept elements (new arenas).
func (l *List) removeAll(v []byte) int {
	removed := 0
	listRemoveVisits.Add(int64(l.n))
	l.walk(0, l.n-1, func(e []byte) {
		if string(e) == string(v) {
			removed++
		}
	})
	if removed == 0 {
		return 0
	}
	var kept List
	l.walk(0, l.n-1, func(e []byte) {
		if string(e) == string(v) {
			return
		}
		if len(e) > listBigElem {
			// A big element's arena is never written: the new list shares it.
			kept.insertChunk(kept.nc, listChunk{data: e, hi: 1})
			kept.n++
			return
		}
		kept.PushBack(e)
	})
	*l = kept
	return removed
}

// Range returns elements start..stop (inclusive, 0 <= start <= stop < Len()),
// in order. The slice is new; the elements are shared (never changed).
func (l *List) Range(start, stop int) [][]byte {
	out := make([][]byte, 0, stop-start+1)
	l.walk(start, stop, func(e []byte) { out = append(out, e) })
	return out
}

// walk calls f with elements start..stop (inclusive, 0 <= start, stop <
// Len(); none when stop < start) in order: O(stop-start) past finding
// start, where a loop on At would walk the chunks for each element.
func (l *List) walk(start, stop int, f func(e []byte)) {
	if stop < start {
		return
	}
	j, k := l.find(start)
	for left := stop - start + 1; left > 0; j, k = j+1, 0 {
		c := l.chunk(j)
		for ; k < c.count() && left > 0; k, left = k+1, left-1 {
			f(c.at(k))
		}
	}
}

// walkBack calls f with elements stop down to start (inclusive, 0 <= start
// <= stop < Len()), tail first.
func (l *List) walkBack(start, stop int, f func(e []byte)) {
	j, k := l.find(stop)
	for left := stop - start + 1; left > 0; j-- {
		c := l.chunk(j)
		for ; k >= 0 && left > 0; k, left = k-1, left-1 {
			f(c.at(k))
		}
		if j > 0 {
			k = l.chunk(j-1).count() - 1
		}
	}
}

// scan calls f with each element and its index, from the head (from the
// tail when back), until f returns false: a search's loop, O(1) an element
// where a loop on At would walk the chunks for each.
func (l *List) scan(back bool, f func(i int, e []byte) bool) {
	if back {
		i := l.n - 1
		for j := l.nc - 1; j >= 0; j-- {
			c := l.chunk(j)
			for k := c.count() - 1; k >= 0; k, i = k-1, i-1 {
				if !f(i, c.at(k)) {
					return
				}
			}
		}
		return
	}
	i := 0
	for j := 0; j < l.nc; j++ {
		c := l.chunk(j)
		for k := 0; k < c.count(); k, i = k+1, i+1 {
			if !f(i, c.at(k)) {
				return
			}
		}
	}
}
