package resp

// List is a list value: a ring buffer of elements. Pushes and pops at either
// end are O(1) amortized and LINDEX/LSET are O(1); an insert or removal in the
// middle moves the elements of the shorter side, O(n) as in Redis's
// quicklist. The buffer grows by doubling and shrinks by half once it is a
// quarter full, so a list that was long and is short again gives its memory
// back.
//
// Elements are never changed in place: LSET stores a new slice. A reply may
// therefore hold an element after the key space has moved on; the bytes it
// holds stay what they were when the command ran.
//
// The zero List is empty and ready to use; the key space deletes a list's key
// when its last element goes (Redis keeps no empty collections).
type List struct {
	buf   [][]byte // len(buf) is 0 or a power of two
	head  int      // index in buf of element 0
	n     int      // elements held
	bytes int      // the elements' lengths, summed (memory.go)
}

// listMinCap is the smallest buffer a list keeps: shrinking below it saves
// less than the next push would spend growing back.
const listMinCap = 8

// Type implements Value.
func (l *List) Type() string { return "list" }

// Encoding implements Value: Redis 7.0 keeps every list as a quicklist.
func (l *List) Encoding() string { return "quicklist" }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// pos maps an element index (0 <= i < n) to its slot in buf.
func (l *List) pos(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// At returns element i (0 <= i < Len()).
func (l *List) At(i int) []byte { return l.buf[l.pos(i)] }

// Set replaces element i (0 <= i < Len()) with v.
func (l *List) Set(i int, v []byte) {
	p := l.pos(i)
	l.bytes += len(v) - len(l.buf[p])
	l.buf[p] = v
}

// PushBack appends v at the tail.
func (l *List) PushBack(v []byte) {
	l.grow()
	l.buf[l.pos(l.n)] = v
	l.n++
	l.bytes += len(v)
}

// PushFront prepends v at the head.
func (l *List) PushFront(v []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
	l.bytes += len(v)
}

// PopFront removes and returns the head element; the list must not be empty.
func (l *List) PopFront() []byte {
	v := l.buf[l.head]
	l.buf[l.head] = nil // the slot must not keep the element alive
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.bytes -= len(v)
	l.shrink()
	return v
}

// PopBack removes and returns the tail element; the list must not be empty.
func (l *List) PopBack() []byte {
	p := l.pos(l.n - 1)
	v := l.buf[p]
	l.buf[p] = nil
	l.n--
	l.bytes -= len(v)
	l.shrink()
	return v
}

// Insert puts v before element i (0 <= i <= Len(); i == Len() appends),
// moving the elements of the shorter side by one.
func (l *List) Insert(i int, v []byte) {
	if i == 0 {
		l.PushFront(v)
		return
	}
	if i == l.n {
		l.PushBack(v)
		return
	}
	l.grow()
	if i < l.n/2 {
		l.head = (l.head - 1) & (len(l.buf) - 1)
		for j := 0; j < i; j++ {
			l.buf[l.pos(j)] = l.buf[l.pos(j+1)]
		}
	} else {
		for j := l.n; j > i; j-- {
			l.buf[l.pos(j)] = l.buf[l.pos(j-1)]
		}
	}
	l.buf[l.pos(i)] = v
	l.n++
	l.bytes += len(v)
}

// Trim keeps elements start..stop (inclusive, 0 <= start <= stop < Len()) and
// drops the rest; Trim(0, -1) drops every element.
func (l *List) Trim(start, stop int) {
	for l.n > stop+1 {
		l.PopBack()
	}
	for ; start > 0; start-- {
		l.PopFront()
	}
}

// Remove deletes elements equal to v, as LREM does: the first count of them
// from the head when count > 0, the last -count from the tail when count < 0,
// every one when count == 0. It returns how many it deleted. The kept
// elements keep their order; the pass is O(n).
func (l *List) Remove(v []byte, count int) int {
	limit := count
	if limit < 0 {
		limit = -limit
	}
	removed := 0
	kept := make([][]byte, 0, l.n)
	if count >= 0 {
		for i := 0; i < l.n; i++ {
			e := l.At(i)
			if (count == 0 || removed < limit) && string(e) == string(v) {
				removed++
				continue
			}
			kept = append(kept, e)
		}
	} else {
		for i := l.n - 1; i >= 0; i-- {
			e := l.At(i)
			if removed < limit && string(e) == string(v) {
				removed++
				continue
			}
			kept = append(kept, e)
		}
		for a, b := 0, len(kept)-1; a < b; a, b = a+1, b-1 {
			kept[a], kept[b] = kept[b], kept[a]
		}
	}
	if removed > 0 {
		l.replace(kept)
	}
	return removed
}

// Range returns elements start..stop (inclusive, 0 <= start <= stop < Len()),
// in order. The slice is new; the elements are shared (never changed in place).
func (l *List) Range(start, stop int) [][]byte {
	out := make([][]byte, 0, stop-start+1)
	for i := start; i <= stop; i++ {
		out = append(out, l.At(i))
	}
	return out
}

// replace makes elems (in order) the whole list, in a buffer of its own size class.
func (l *List) replace(elems [][]byte) {
	c := listMinCap
	for c < len(elems) {
		c *= 2
	}
	buf := make([][]byte, c)
	copy(buf, elems)
	*l = List{buf: buf, n: len(elems)}
	for _, e := range elems {
		l.bytes += len(e)
	}
}

// grow makes room for one more element.
func (l *List) grow() {
	if l.n < len(l.buf) {
		return
	}
	c := 2 * len(l.buf)
	if c < listMinCap {
		c = listMinCap
	}
	l.resize(c)
}

// shrink halves the buffer once it is a quarter full.
func (l *List) shrink() {
	if len(l.buf) > listMinCap && l.n <= len(l.buf)/4 {
		l.resize(len(l.buf) / 2)
	}
}

// resize moves the elements into a buffer of c slots (c >= n, a power of two),
// element 0 first.
func (l *List) resize(c int) {
	buf := make([][]byte, c)
	for i := 0; i < l.n; i++ {
		buf[i] = l.At(i)
	}
	l.buf, l.head = buf, 0
}
