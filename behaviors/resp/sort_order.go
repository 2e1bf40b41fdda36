package resp

import (
	"bytes"
	"cmp"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// sortOrder is the order SORT puts its items in: Redis's sortCompare, then,
// where that finds two items equal (ALPHA BY with equal or missing weights,
// or a list's duplicates), the order they were loaded in. That last word
// makes it a total order, so a partial sort (sortWindow) and a full one
// agree on every position, and both give what a stable sort by sortCompare
// gives.
func sortOrder(o *sortSpec) func(a, b sortItem) int {
	return func(a, b sortItem) int {
		if c := sortCompare(o, &a, &b); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	}
}

// sortCompare is Redis's sortCompare. ALPHA compares with strcoll, in the C
// locale (bytes), of C strings (each ends at its first NUL), or, with
// STORE, the whole bytes (compareStringObjects).
func sortCompare(o *sortSpec, a, b *sortItem) int {
	alpha := bytes.Compare
	if o.store == nil {
		alpha = cStringCompare
	}
	c := 0
	switch {
	case !o.alpha:
		switch {
		case a.score > b.score:
			c = 1
		case a.score < b.score:
			c = -1
		default:
			c = bytes.Compare(a.obj, b.obj)
		}
	case o.by != nil:
		switch {
		case a.cmp == nil && b.cmp == nil:
		case a.cmp == nil:
			c = -1
		case b.cmp == nil:
			c = 1
		default:
			c = alpha(a.cmp, b.cmp)
		}
	default:
		c = alpha(a.obj, b.obj)
	}
	if o.desc {
		return -c
	}
	return c
}

// cStringCompare is strcmp of a and b as C strings: each ends at its first
// NUL.
func cStringCompare(a, b []byte) int {
	if nul := bytes.IndexByte(a, 0); nul >= 0 {
		a = a[:nul]
	}
	if nul := bytes.IndexByte(b, 0); nul >= 0 {
		b = b[:nul]
	}
	return bytes.Compare(a, b)
}

// sortWindow leaves in items[lo:hi] what a full sort by order puts there,
// in that order, and the rest in no particular order: SORT ... LIMIT asks
// for a window, and selecting it is O(n) where sorting everything is
// O(n log n) (Redis's pqsort does the same for SORT BY). order must be a
// total order.
func sortWindow(items []sortItem, lo, hi int, order func(a, b sortItem) int) {
	if lo >= hi {
		return
	}
	if lo > 0 {
		selectNth(items, lo, order) // items[:lo] now all come before the window
	}
	if hi < len(items) {
		selectNth(items[lo:], hi-lo-1, order) // and items[hi:] all after it
	}
	slices.SortFunc(items[lo:hi], order)
}

// selectNth puts at items[k] the item a full sort puts there, the items
// before it ahead and those after it behind (quickselect). Its pivots are
// random, so no input is slow on purpose; should they still be unlucky, it
// sorts what is left, so it is never worse than O(n log n).
func selectNth(items []sortItem, k int, order func(a, b sortItem) int) {
	for budget := 2 * bits.Len(uint(len(items))); len(items) > 16; budget-- {
		if budget == 0 {
			break
		}
		p := partition(items, order)
		switch {
		case k < p:
			items = items[:p]
		case k > p:
			items, k = items[p+1:], k-p-1
		default:
			return
		}
	}
	slices.SortFunc(items, order)
}

// partition moves a pivot (the median of three random items) to where it
// belongs, the items before it in front and those after it behind, and
// returns its index (Lomuto's scheme).
func partition(items []sortItem, order func(a, b sortItem) int) int {
	n := len(items)
	a, b, c := rand.IntN(n), rand.IntN(n), rand.IntN(n)
	if order(items[a], items[b]) > 0 {
		a, b = b, a
	}
	if order(items[b], items[c]) > 0 {
		b = c
		if order(items[a], items[b]) > 0 {
			b = a
		}
	}
	last := n - 1
	items[b], items[last] = items[last], items[b]
	i := 0
	for j := range last {
		if order(items[j], items[last]) < 0 {
			items[i], items[j] = items[j], items[i]
			i++
		}
	}
	items[i], items[last] = items[last], items[i]
	return i
}
