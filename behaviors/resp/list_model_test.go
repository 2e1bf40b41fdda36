package resp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// listHanded is an element the list handed out, with a copy of the bytes it
// had then: they must never change.
type listHanded struct{ got, want []byte }

// listChecker applies operations to a List and to a listModel and compares
// every result, the whole contents and the chunks' invariants after each.
type listChecker struct {
	t      testing.TB
	l      List
	m      listModel
	handed []listHanded
	step   int
}

// listValue makes a value from two bytes: mostly short ones from a small
// alphabet (so LREM and LINSERT's pivots match), some of 40 bytes, a few
// over listBigElem.
func listValue(a, b byte) []byte {
	n := int(b % 8)
	switch b / 8 % 16 {
	case 0:
		n = 40
	case 1:
		if b%3 == 0 {
			n = listBigElem + 1 + int(b)
		}
	}
	return bytes.Repeat([]byte{'a' + a%3}, n)
}

// hand records e, handed out by the list.
func (c *listChecker) hand(e []byte) {
	if cap(e) != len(e) {
		c.t.Fatalf("step %d: element handed out with capacity %d, length %d: an append would write into the arena", c.step, cap(e), len(e))
	}
	if len(c.handed) >= 256 {
		c.handed = c.handed[1:]
	}
	c.handed = append(c.handed, listHanded{e, slices.Clone(e)})
}

// apply runs one operation, decoded from op and its arguments a, b, d.
func (c *listChecker) apply(op, a, b, d byte) {
	c.step++
	l, n := &c.l, len(c.m)
	v := listValue(a, b)
	buf := slices.Clone(v) // the caller's buffer: scribbled on after the call
	defer func() {
		for i := range buf {
			buf[i] = '#'
		}
	}()
	idx := func(x byte) int { return int(x) * n / 256 }
	switch op % 12 {
	case 0:
		l.PushBack(buf)
		c.m = append(c.m, v)
	case 1:
		l.PushFront(buf)
		c.m = slices.Insert(c.m, 0, v)
	case 2:
		if n > 0 {
			got := l.PopFront()
			c.hand(got)
			if !bytes.Equal(got, c.m[0]) {
				c.t.Fatalf("step %d: PopFront = %q; want %q", c.step, got, c.m[0])
			}
			c.m = c.m[1:]
		}
	case 3:
		if n > 0 {
			got := l.PopBack()
			c.hand(got)
			if !bytes.Equal(got, c.m[n-1]) {
				c.t.Fatalf("step %d: PopBack = %q; want %q", c.step, got, c.m[n-1])
			}
			c.m = c.m[:n-1]
		}
	case 4:
		i := int(d) * (n + 1) / 256
		l.Insert(i, buf)
		c.m = slices.Insert(c.m, i, v)
	case 5:
		if n > 0 {
			i := idx(d)
			l.Set(i, buf)
			c.m[i] = v
		}
	case 6:
		count := int(d%7) - 3
		got := l.Remove(buf, count)
		if want := c.m.remove(v, count); got != want {
			c.t.Fatalf("step %d: Remove(%q, %d) = %d; want %d", c.step, v, count, got, want)
		}
	case 7:
		if n > 0 {
			start, stop := idx(a), idx(d)
			if start > stop {
				start, stop = stop, start
			}
			if b%16 == 0 {
				l.Trim(0, -1)
				c.m = nil
			} else {
				l.Trim(start, stop)
				c.m = slices.Clone(c.m[start : stop+1])
			}
		}
	case 8:
		if n > 0 {
			i := idx(d)
			got := l.At(i)
			c.hand(got)
			if !bytes.Equal(got, c.m[i]) {
				c.t.Fatalf("step %d: At(%d) = %q; want %q", c.step, i, got, c.m[i])
			}
		}
	case 9:
		if n > 0 {
			start, stop := idx(a), idx(d)
			if start > stop {
				start, stop = stop, start
			}
			got := l.Range(start, stop)
			var back [][]byte
			l.walkBack(start, stop, func(e []byte) { back = append(back, e) })
			slices.Reverse(back)
			for k, e := range got {
				c.hand(e)
				if !bytes.Equal(e, c.m[start+k]) || !bytes.Equal(back[k], e) {
					c.t.Fatalf("step %d: Range(%d, %d)[%d] = %q, walkBack's %q; want %q", c.step, start, stop, k, e, back[k], c.m[start+k])
				}
			}
			// scan from either end, stopping at the range's far end.
			var fwd, bwd []int
			l.scan(false, func(i int, e []byte) bool {
				if !bytes.Equal(e, c.m[i]) {
					c.t.Fatalf("step %d: scan's element %d is %q; want %q", c.step, i, e, c.m[i])
				}
				fwd = append(fwd, i)
				return i < stop
			})
			l.scan(true, func(i int, e []byte) bool {
				if !bytes.Equal(e, c.m[i]) {
					c.t.Fatalf("step %d: scan back's element %d is %q; want %q", c.step, i, e, c.m[i])
				}
				bwd = append(bwd, i)
				return i > start
			})
			if len(fwd) != stop+1 || fwd[stop] != stop || len(bwd) != n-start || bwd[0] != n-1 || bwd[n-start-1] != start {
				c.t.Fatalf("step %d: scan to %d visited %v; scan back to %d visited %v", c.step, stop, fwd, start, bwd)
			}
			if len(got) != stop-start+1 || len(back) != len(got) {
				c.t.Fatalf("step %d: Range(%d, %d): %d elements, walkBack %d", c.step, start, stop, len(got), len(back))
			}
		}
	case 10: // a run of pushes: many chunks from a short input
		for k := 0; k < int(d) && len(c.m) < 5000; k++ {
			e := []byte(fmt.Sprint(k % 5))
			if a%2 == 0 {
				l.PushBack(e)
				c.m = append(c.m, e)
			} else {
				l.PushFront(e)
				c.m = slices.Insert(c.m, 0, e)
			}
		}
	case 11: // a run of pops
		for k := 0; k < int(d) && len(c.m) > 0; k++ {
			if a%2 == 0 {
				c.hand(l.PopFront())
				c.m = c.m[1:]
			} else {
				c.hand(l.PopBack())
				c.m = c.m[:len(c.m)-1]
			}
		}
	}
	c.check(op % 12)
}

// check compares the whole list, the elements handed out so far, and the
// chunks' invariants.
func (c *listChecker) check(op byte) {
	l := &c.l
	if l.Len() != len(c.m) {
		c.t.Fatalf("step %d (op %d): Len %d; want %d", c.step, op, l.Len(), len(c.m))
	}
	k := 0
	l.walk(0, l.Len()-1, func(e []byte) {
		if !bytes.Equal(e, c.m[k]) {
			c.t.Fatalf("step %d (op %d): element %d is %q; want %q", c.step, op, k, e, c.m[k])
		}
		k++
	})
	for _, h := range c.handed {
		if !bytes.Equal(h.got, h.want) {
			c.t.Fatalf("step %d (op %d): an element handed out as %q now holds %q", c.step, op, h.want, h.got)
		}
	}
	n, room := 0, 0
	for j := 0; j < l.nc; j++ {
		ch := l.chunk(j)
		cn := ch.count()
		room += ch.size()
		if cn < 1 || cn > listChunkCap {
			c.t.Fatalf("step %d (op %d): chunk %d holds %d elements", c.step, op, j, cn)
		}
		n += cn
		if ch.spans == nil {
			if cn != 1 || len(ch.data) <= listBigElem {
				c.t.Fatalf("step %d (op %d): chunk %d without spans: %d elements of %d bytes", c.step, op, j, cn, len(ch.data))
			}
			continue
		}
		live := 0
		for m := 0; m < cn; m++ {
			live += len(ch.at(m))
		}
		if live != int(ch.live) {
			c.t.Fatalf("step %d (op %d): chunk %d counts %d live bytes; holds %d", c.step, op, j, ch.live, live)
		}
		if garbage := len(ch.data) - live; garbage > max(live, listCompactMin-1) {
			c.t.Fatalf("step %d (op %d): chunk %d keeps %d bytes of garbage for %d live", c.step, op, j, garbage, live)
		}
	}
	if n != l.n || room != l.room {
		c.t.Fatalf("step %d (op %d): chunks hold %d elements, %d bytes of room; the list counts %d, %d", c.step, op, n, room, l.n, l.room)
	}
	if l.nc > 0 && len(l.ring) > 4 && l.nc <= len(l.ring)/8 {
		c.t.Fatalf("step %d (op %d): %d chunks in a ring of %d: not shrunk", c.step, op, l.nc, len(l.ring))
	}
}

// runListOps applies the operations ops encodes, four bytes each.
func runListOps(t testing.TB, ops []byte) {
	c := &listChecker{t: t}
	for len(ops) >= 4 {
		c.apply(ops[0], ops[1], ops[2], ops[3])
		ops = ops[4:]
	}
}

// TestListAgainstModel runs random operations of every kind on a List and on
// a slice, and checks after each that they agree, that every element handed
// out still holds its bytes, and that the chunks keep their invariants
// (bounded garbage, counts), across growth, splits, compaction and shrinking.
func TestListAgainstModel(t *testing.T) {
	for seed := uint64(0); seed < 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2))
		ops := make([]byte, 4*6000)
		for i := range ops {
			ops[i] = byte(rng.IntN(256))
		}
		// Bias: the first half grows the list (no pops, no trims), the
		// second half does anything.
		for i := 0; i < len(ops)/2; i += 4 {
			switch ops[i] % 12 {
			case 2, 3, 7, 11:
				ops[i] = 0
			}
		}
		runListOps(t, ops)
	}
}

// FuzzList runs the operations the input encodes (runListOps) against the
// model.
func FuzzList(f *testing.F) {
	f.Add([]byte{10, 0, 0, 200, 4, 1, 2, 100, 5, 2, 24, 50, 11, 1, 0, 150})
	f.Add([]byte{10, 1, 0, 255, 10, 0, 0, 255, 4, 0, 8, 128, 4, 0, 8, 128, 6, 0, 1, 3, 7, 10, 1, 200})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4*500 {
			return
		}
		runListOps(t, ops)
	})
}
