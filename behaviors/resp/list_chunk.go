package resp

import "unsafe"

// This file is a list's storage: the chunks of a List (list_value.go) and
// the ring that holds them, found, split, inserted and removed.

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
