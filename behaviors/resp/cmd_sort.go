package resp

import (
	"bytes"
	"math"
	"strings"
)

// sortCommands are SORT and SORT_RO.
var sortCommands = []Command{
	{Name: "sort", Arity: -2, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic", Keys: sortKeys,
		Run: func(c *Call) { sortGeneric(c, false) }, Summary: "Sorts the elements in a list, a set, or a sorted set, optionally storing the result."},
	{Name: "sort_ro", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: func(c *Call) { sortGeneric(c, true) }, Summary: "Returns the sorted elements of a list, a set, or a sorted set."},
}

// sortSpec is SORT's options.
type sortSpec struct {
	desc, alpha, dontSort bool
	by                    []byte
	gets                  [][]byte
	store                 []byte
	limitStart, limitCnt  int64
}

// sortItem is one element being sorted and what it sorts by.
type sortItem struct {
	obj   []byte
	score float64
	cmp   []byte // ALPHA with BY: the value looked up (nil: none)
	pos   int    // where it was loaded: sortOrder's last word
}

// parseSort reads SORT's options as Redis 7.0's sortCommandGeneric does.
func parseSort(c *Call, readonly bool) (sortSpec, bool) {
	o := sortSpec{limitCnt: -1}
	for j := 2; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		switch a := c.Args[j]; {
		case argIs(a, "asc"):
			o.desc = false
		case argIs(a, "desc"):
			o.desc = true
		case argIs(a, "alpha"):
			o.alpha = true
		case argIs(a, "limit") && left >= 2:
			s, ok1 := parseInt(c.Args[j+1])
			n, ok2 := parseInt(c.Args[j+2])
			if !ok1 || !ok2 {
				c.W.Error(ErrNotInt)
				return o, false
			}
			o.limitStart, o.limitCnt = s, n
			j += 2
		case !readonly && argIs(a, "store") && left >= 1:
			o.store = c.Args[j+1]
			j++
		case argIs(a, "by") && left >= 1:
			o.by = c.Args[j+1]
			o.dontSort = bytes.IndexByte(o.by, '*') < 0
			if !o.dontSort && sortDenied(c, o.by) {
				c.W.Error("ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.")
				return o, false
			}
			j++
		case argIs(a, "get") && left >= 1:
			if g := c.Args[j+1]; string(g) != "#" && sortDenied(c, g) {
				c.W.Error("ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.")
				return o, false
			}
			o.gets = append(o.gets, c.Args[j+1])
			j++
		default:
			c.W.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// sortDenied says whether, in cluster mode, the keys a BY or GET pattern
// forms may be outside the sorted key's slot, so outside its shard: Redis
// Cluster refuses those patterns rather than read another slot's keys.
func sortDenied(c *Call, pattern []byte) bool {
	return c.Srv != nil && c.Srv.clustered.Load() && patternSlot(pattern) != keySlot(c.Args[1])
}

func sortGeneric(c *Call, readonly bool) {
	o, ok := parseSort(c, readonly)
	if !ok {
		return
	}
	v := c.DB.Get(c.Args[1])
	switch v.(type) {
	case nil, *List, *Set, *ZSet:
	default:
		c.W.Error(ErrWrongType)
		return
	}
	if _, isSet := v.(*Set); isSet && o.dontSort && o.store != nil {
		o.dontSort, o.alpha, o.by = false, true, nil // a stable order for what is stored
	}
	n := int64(sortLen(v))
	start := min(max(o.limitStart, 0), n)
	cnt := min(max(o.limitCnt, -1), n)
	end := n - 1
	if cnt >= 0 {
		end = start + cnt - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	end = min(end, n-1)
	items := sortLoad(v, o, start, end)
	if _, isSet := v.(*Set); o.dontSort && !isSet && len(items) > 0 {
		end, start = end-start, 0 // loaded just the range
	}
	if !o.dontSort && !sortScores(c, o, items) {
		return
	}
	if !o.dontSort && end >= start {
		sortWindow(items, int(start), int(end)+1, sortOrder(&o))
	}
	sortOutput(c, o, items, start, end)
}

func sortLen(v Value) int {
	switch t := v.(type) {
	case *List:
		return t.Len()
	case *Set:
		return t.Len()
	case *ZSet:
		return t.len()
	}
	return 0
}

// sortLoad loads the elements: all of them, or, for a list or sorted set
// not sorted (BY a constant), just the range, in their order (reversed for
// DESC), as Redis loads them.
func sortLoad(v Value, o sortSpec, start, end int64) []sortItem {
	size := sortLen(v)
	if _, isSet := v.(*Set); o.dontSort && !isSet {
		size = int(max(end-start+1, 0))
	}
	items := make([]sortItem, 0, size)
	add := func(b []byte) { items = append(items, sortItem{obj: b, pos: len(items)}) }
	ranged := o.dontSort && end >= start
	switch t := v.(type) {
	case *List:
		if o.dontSort {
			if ranged && o.desc {
				t.walkBack(t.Len()-1-int(end), t.Len()-1-int(start), add)
			} else if ranged {
				t.walk(int(start), int(end), add)
			}
			break
		}
		t.walk(0, t.Len()-1, add)
	case *Set:
		t.Each(func(m string) bool { add([]byte(m)); return true })
	case *ZSet:
		if o.dontSort {
			if ranged {
				first, last := int(start)+1, int(end)+1
				if o.desc {
					first, last = t.len()-int(end), t.len()-int(start)
				}
				t.rangeNodes(first, last, o.desc, 0, -1, func(x *zslNode) bool { add([]byte(x.member)); return true })
			}
			break
		}
		t.table.each(func(m string, _ *zslNode) bool { add([]byte(m)); return true })
	}
	return items
}

// sortScores fills in what each element sorts by; false (and the error
// written) if a numeric sort meets a value that is not a number.
func sortScores(c *Call, o sortSpec, items []sortItem) bool {
	bad := false
	for i := range items {
		by := items[i].obj
		if o.by != nil {
			val, ok := lookupByPattern(c, o.by, items[i].obj)
			if !ok {
				continue
			}
			by = val
		}
		if o.alpha {
			if o.by != nil {
				items[i].cmp = by
			}
			continue
		}
		f, ok := strtod(by)
		if !ok {
			bad = true
		}
		items[i].score = f
	}
	if bad {
		c.W.Error("ERR One or more scores can't be converted into double")
		return false
	}
	return true
}

// strtod parses a SORT weight as Redis's sortCommand does with C's strtod:
// leading blanks, then a number (decimal or hexadecimal, inf) that takes the
// whole rest; "" is 0; not NaN, and no ERANGE (an overflow, or an underflow
// to a denormal or zero, is refused). Redis tests an errno it did not clear,
// so after an ERANGE of some earlier call it refuses "" as well; this is what
// it does with a clean errno. The weight is a C string there: it ends at
// its first NUL ("1\x00x" is 1, "\x00x" is 0).
func strtod(b []byte) (float64, bool) {
	if nul := bytes.IndexByte(b, 0); nul >= 0 {
		b = b[:nul]
	}
	if v, ok := smallInt(b); ok {
		return v, true
	}
	v, n, erange := cStrtod(string(b))
	if n != len(b) || erange || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// smallInt reads b if it is a plain decimal integer of at most 15 digits,
// with or without '-', as most sorted data is: strtod reads such a number
// exactly (it is below 2^53), and this is a tenth of the cost.
func smallInt(b []byte) (float64, bool) {
	digits := b
	if len(b) > 0 && b[0] == '-' {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 15 {
		return 0, false
	}
	n := int64(0)
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	if len(digits) < len(b) {
		return -float64(n), true // -0 too, as strtod reads "-0"
	}
	return float64(n), true
}

// sortOutput replies the elements start..end (or GET's lookups), or stores
// them as a list (STORE) and replies how many. The reply is written as the
// lookups are made, as Redis writes it: it is the elements times the GETs,
// and gathered first it cost a slice header per entry on top of its bytes.
func sortOutput(c *Call, o sortSpec, items []sortItem, start, end int64) {
	n := (end - start + 1) * int64(max(len(o.gets), 1))
	if o.store == nil {
		c.W.Array(int(n))
		sortEach(c, o, items, start, end, func(v []byte) {
			if v == nil {
				c.W.Null()
			} else {
				c.W.Bulk(v)
			}
		})
		return
	}
	if n == 0 {
		c.DB.Delete(o.store)
		c.W.Int(0)
		return
	}
	l := &List{}
	sortEach(c, o, items, start, end, func(v []byte) { l.PushBack(v) }) // the list copies v; nil: an empty string, as Redis stores it
	c.DB.Set(o.store, l, false)
	c.W.Int(n)
}

// sortEach calls out with each entry of SORT's result: the elements
// start..end, or for each one its GET patterns' lookups (nil: nothing; an
// empty element or value is an empty slice).
func sortEach(c *Call, o sortSpec, items []sortItem, start, end int64, out func([]byte)) {
	for j := start; j <= end; j++ {
		if len(o.gets) == 0 {
			out(nonNil(items[j].obj))
		}
		for _, pat := range o.gets {
			if val, ok := lookupByPattern(c, pat, items[j].obj); ok {
				out(nonNil(val))
			} else {
				out(nil)
			}
		}
	}
}

// nonNil is b, or an empty slice for an empty b: to sortEach's out, nil
// means that GET found nothing.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// lookupByPattern is Redis's lookupKeyByPattern: "#" is the element itself;
// else the first '*' is replaced by it, and "key->field" reads a hash field.
// ok is false when there is nothing (no '*', no key, another type).
func lookupByPattern(c *Call, pat, elem []byte) ([]byte, bool) {
	if string(pat) == "#" {
		return elem, true
	}
	star := bytes.IndexByte(pat, '*')
	if star < 0 {
		return nil, false
	}
	keyPat, field := pat, []byte(nil)
	if f := bytes.Index(pat[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(pat) {
		keyPat, field = pat[:star+1+f], pat[star+1+f+2:]
	}
	key := append(append(append([]byte{}, keyPat[:star]...), elem...), keyPat[star+1:]...)
	v := c.DB.Get(key)
	if field != nil {
		if h, ok := v.(*Hash); ok {
			return h.Get(field)
		}
		return nil, false
	}
	if s, ok := v.(*Str); ok {
		return s.B, true
	}
	return nil, false
}

// sortKeys is SORT's keys as Redis's sortGetKeys finds them: the sorted key
// and the last STORE's destination, skipping LIMIT's two words and BY's and
// GET's pattern (a pattern may be "store"). Without it a cluster sent SORT
// ... STORE to the sorted key's shard alone, which wrote the destination
// where no other command looks for it.
func sortKeys(args [][]byte) []int {
	keys := []int{1}
	store := 0
	for i := 2; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "limit":
			i += 2
		case "get", "by":
			i++
		case "store":
			if i+1 < len(args) {
				store = i + 1
			}
		}
	}
	if store > 0 {
		keys = append(keys, store)
	}
	return keys
}
