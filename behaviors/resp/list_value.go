package resp

import (
	"sync/atomic"
	"unsafe"
)

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

// listChunk is a run of elements. The live elements are spans[lo:hi], in
// order, each a range of data. A big element's chunk has no spans: data is the
// element.
type listChunk struct {
	data   []byte     // append-only arena: bytes once written are never written again
	spans  []listSpan // element k is data[spans[lo+k].off:spans[lo+k].end]
	lo, hi int32
	live   int32 // the live elements' lengths, summed; len(data)-live is garbage
}

// listSpan is an element's place in its chunk's arena.
type listSpan struct{ off, end uint32 }

const (
	// listChunkCap is the most elements a chunk holds: At walks n/128
	// chunks, an insert moves at most 128 spans.
	listChunkCap = 128
	// listChunkBytes is the arena size past which a push starts a new chunk.
	listChunkBytes = 8 << 10
	// listBigElem is the size over which an element is a chunk of its own.
	listBigElem = 1 << 10
	// listMinSpans is a new list's first chunk's span room (a short queue's).
	listMinSpans = 4
	// listArenaStart is the most a chunk's arena starts at: a chunk of 128
	// elements of up to 8 bytes (LPUSH's common case) is two allocations,
	// and a list ending with a chunk of one large element reserves at most
	// 1 KiB (and 8 KiB/its size span slots) for it, not 8 KiB.
	listArenaStart = 1 << 10
	// listCompactMin is the garbage a chunk may keep whatever its live bytes.
	listCompactMin = 64
)

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

// chunk returns chunk j (0 <= j < nc).
func (l *List) chunk(j int) *listChunk { return &l.ring[(l.head+j)&(len(l.ring)-1)] }

// find returns the chunk holding element i (0 <= i < n) and i's index in it,
// walking from the nearer end.
func (l *List) find(i int) (j, k int) {
	if i < l.n/2 {
		for j = 0; ; j++ {
			if c := l.chunk(j).count(); i < c {
				return j, i
			} else {
				i -= c
			}
		}
	}
	i = l.n - 1 - i // from the tail
	for j = l.nc - 1; ; j-- {
		c := l.chunk(j).count()
		if i < c {
			return j, c - 1 - i
		}
		i -= c
	}
}

// newChunk returns the chunk a push of v at an end starts, next to end chunk
// j (none when the list is empty): a short list's first chunk is small; a
// list that grows past one chunk gets span room for as many elements of v's
// size as a chunk's bytes hold, and an arena of chunk j's size halved until
// it is at most listArenaStart, as the next elements are likely the size of
// the last ones: small elements' chunks (up to 8 bytes an element) get their
// whole arena at once, and a bigger one's doubles to chunk j's size again
// (add), without reserving 8 KiB for a list that ends with one element.
func (l *List) newChunk(v []byte, j int, front bool) listChunk {
	if l.nc == 0 || len(v) > listBigElem || l.chunk(j).spans == nil {
		// A big element's arena says nothing of the next elements' sizes.
		return newListChunk(v, listMinSpans, front, 0)
	}
	spans := min(max(listChunkBytes/max(len(v), 1), listMinSpans), listChunkCap)
	size := min(len(l.chunk(j).data), listChunkBytes)
	for size > listArenaStart {
		size /= 2
	}
	return newListChunk(v, spans, front, size)
}

// split moves chunk j's elements from k on (0 < k < its count) into a new
// chunk after it.
func (l *List) split(j, k int) {
	c := l.chunk(j)
	n, size := c.count(), c.size()
	right := listChunk{spans: make([]listSpan, max(listMinSpans, n-k))}
	for m := k; m < n; m++ {
		e := c.at(m)
		right.spans[right.hi] = right.add(e)
		right.hi++
		c.live -= int32(len(e))
	}
	c.hi = c.lo + int32(k)
	c.tidy()
	l.room += c.size() - size
	l.insertChunk(j+1, right) // c is stale from here
}

// insertChunk puts c before chunk j (0 <= j <= nc), moving the chunks on the
// nearer side.
func (l *List) insertChunk(j int, c listChunk) {
	if l.nc == len(l.ring) {
		l.resize(max(1, 2*len(l.ring)))
	}
	mask := len(l.ring) - 1
	if j < l.nc-j {
		l.head = (l.head - 1) & mask
		for m := 0; m < j; m++ {
			l.ring[(l.head+m)&mask] = l.ring[(l.head+m+1)&mask]
		}
	} else {
		for m := l.nc; m > j; m-- {
			l.ring[(l.head+m)&mask] = l.ring[(l.head+m-1)&mask]
		}
	}
	l.ring[(l.head+j)&mask] = c
	l.nc++
	l.room += c.size()
}

// removeChunk takes end chunk j (0 or nc-1) out, and halves the ring once it
// is a quarter full.
func (l *List) removeChunk(j int) {
	l.room -= l.chunk(j).size()
	*l.chunk(j) = listChunk{} // the slot must not keep the arena alive
	if j == 0 {
		l.head = (l.head + 1) & (len(l.ring) - 1)
	}
	l.nc--
	if l.nc == 0 {
		*l = List{}
		return
	}
	if len(l.ring) > 4 && l.nc <= len(l.ring)/4 {
		l.resize(len(l.ring) / 2)
	}
}

// resize moves the chunks into a ring of c slots (c >= nc, a power of two),
// chunk 0 first.
func (l *List) resize(c int) {
	ring := make([]listChunk, c)
	for j := 0; j < l.nc; j++ {
		ring[j] = *l.chunk(j)
	}
	l.ring, l.head = ring, 0
}

// newListChunk returns a chunk holding a copy of v: a big one's own, else
// one with room for spans elements and an arena of size bytes (or v's), v
// first (at the end of the room when front, as a push at the head fills it
// downwards).
func newListChunk(v []byte, spans int, front bool, size int) listChunk {
	if len(v) > listBigElem {
		return listChunk{data: append([]byte(nil), v...), hi: 1}
	}
	c := listChunk{spans: make([]listSpan, spans)}
	if size > len(v) {
		c.data = make([]byte, 0, size)
	}
	if front {
		c.lo, c.hi = int32(spans-1), int32(spans-1)
	}
	c.spans[c.hi] = c.add(v)
	c.hi++
	return c
}

func (c *listChunk) count() int { return int(c.hi - c.lo) }

// size is what c holds on the heap: its span slots, used or not, and its
// arena's capacity (live bytes, garbage and room for the next pushes). The
// ring slot is counted with the ring (memory.go). A List keeps the sum in
// room: an operation that changes a chunk's slices adds the difference.
func (c *listChunk) size() int {
	return cap(c.spans)*int(unsafe.Sizeof(listSpan{})) + cap(c.data)
}

// at returns element k (0 <= k < count), its capacity capped.
func (c *listChunk) at(k int) []byte {
	if c.spans == nil {
		return c.data[:len(c.data):len(c.data)]
	}
	s := c.spans[int(c.lo)+k]
	return c.data[s.off:s.end:s.end]
}

// add appends v's bytes to the arena and returns their span. A full arena
// is copied into a new one twice its size, at most listChunkBytes (what a
// chunk's pushes fill), so that a chunk of elements of one size fills its
// arena exactly (it starts at one element's, at least 8 bytes as append's,
// or a fraction of the last chunk's); past that (Set's and Insert's
// garbage) a quarter larger. The old arena is never written again: the
// elements handed out from it stay valid.
func (c *listChunk) add(v []byte) listSpan {
	off := len(c.data)
	if need := off + len(v); need > cap(c.data) {
		size := max(2*cap(c.data), need, 8)
		if need <= listChunkBytes {
			size = min(size, listChunkBytes)
		} else {
			size = max(need, cap(c.data)+cap(c.data)/4)
		}
		data := make([]byte, off, size)
		copy(data, c.data)
		c.data = data
	}
	c.data = append(c.data, v...)
	c.live += int32(len(v))
	return listSpan{uint32(off), uint32(len(c.data))}
}

// takes says whether a push of v may go into c rather than a new chunk.
func (c *listChunk) takes(v []byte) bool {
	return c.spans != nil && c.count() < listChunkCap && len(v) <= listBigElem &&
		len(c.data)+len(v) <= listChunkBytes
}

// roomBack makes room for a span at hi: it moves the spans to the start of
// their slice when that is at most half full (a queue's pushes and pops
// then cost no allocation), or doubles the slice up to listChunkCap; it says
// c is too full to bother otherwise.
func (c *listChunk) roomBack() bool {
	switch {
	case int(c.hi) < len(c.spans):
	case 2*c.count() <= len(c.spans):
		c.respan(len(c.spans), 0)
	case len(c.spans) < listChunkCap:
		c.respan(min(2*len(c.spans), listChunkCap), 0)
	default:
		return false
	}
	return true
}

// roomFront makes room for a span at lo-1, as roomBack does at hi.
func (c *listChunk) roomFront() bool {
	switch {
	case c.lo > 0:
	case 2*c.count() <= len(c.spans):
		c.respan(len(c.spans), len(c.spans)-c.count())
	case len(c.spans) < listChunkCap:
		size := min(2*len(c.spans), listChunkCap)
		c.respan(size, size-c.count())
	default:
		return false
	}
	return true
}

// respan moves the live spans to index at of a span slice of size spans (new
// when the size changes).
func (c *listChunk) respan(size, at int) {
	live := c.spans[c.lo:c.hi]
	spans := c.spans
	if size != len(spans) {
		spans = make([]listSpan, size)
	}
	copy(spans[at:], live)
	c.spans, c.lo, c.hi = spans, int32(at), int32(at+len(live))
}

// insert puts v before element k (0 <= k <= count < listChunkCap).
func (c *listChunk) insert(k int, v []byte) {
	p := int(c.lo) + k
	switch {
	case int(c.hi) < len(c.spans):
		copy(c.spans[p+1:c.hi+1], c.spans[p:c.hi])
		c.hi++
	case c.lo > 0:
		copy(c.spans[c.lo-1:p-1], c.spans[c.lo:p])
		c.lo--
		p--
	default: // no room either side: count == len(spans) < listChunkCap
		c.respan(min(2*len(c.spans), listChunkCap), 0)
		copy(c.spans[k+1:c.hi+1], c.spans[k:c.hi])
		c.hi++
		p = k
	}
	c.spans[p] = c.add(v)
}

// tidy compacts c into a new arena once its garbage outgrows its live bytes
// (and listCompactMin), or its span room is four times its elements: memory
// stays within a constant factor of the live bytes, and each compaction is
// paid for by the pops or sets that made the garbage. The new arena has room
// for as many bytes again (at least listCompactMin) before the next. The old
// arena is left as it is: the elements handed out from it stay valid. The
// spans are internal, rewritten in place unless they shrink.
func (c *listChunk) tidy() {
	if c.spans == nil {
		return
	}
	garbage := len(c.data) - int(c.live)
	n := c.count()
	sparse := len(c.spans) > 2*listMinSpans && 4*n <= len(c.spans)
	if !sparse && !(garbage > int(c.live) && garbage >= listCompactMin) {
		return
	}
	old, live := c.data, int(c.live)
	c.data, c.live = make([]byte, 0, live+max(live, listCompactMin)), 0
	if sparse {
		size := min(max(2*n, listMinSpans), listChunkCap)
		at := (size - n) / 2
		c.respan(size, at)
	}
	for p := c.lo; p < c.hi; p++ {
		s := c.spans[p]
		c.spans[p] = c.add(old[s.off:s.end])
	}
}
