package resp

import "math"

// The list commands that search a list for an element: LINSERT, LREM, LPOS.

// cmdLInsert is LINSERT key BEFORE|AFTER pivot element: the position word is
// checked first, then the key; the reply is the new length, -1 when the
// pivot is not there, 0 for a missing key.
func cmdLInsert(c *Call) {
	var after bool
	switch {
	case equalFold(string(c.Args[2]), "after"):
		after = true
	case equalFold(string(c.Args[2]), "before"):
	default:
		c.W.Error(ErrSyntax)
		return
	}
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	pivot := string(c.Args[3])
	at := -1
	l.scan(false, func(i int, e []byte) bool {
		if string(e) == pivot {
			at = i
		}
		return at < 0
	})
	if at < 0 {
		c.W.Int(-1)
		return
	}
	if after {
		at++
	}
	l.Insert(at, c.Args[4]) // the list copies it
	c.DB.Changed(c.Args[1])
	c.W.Int(int64(l.Len()))
}

// cmdLRem is LREM key count element: count parsed first; the reply is the
// number removed.
func cmdLRem(c *Call) {
	count, ok := c.Int(2)
	if !ok {
		return
	}
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	// LREM's -2**63 stays negative in Redis's C (every match from the
	// tail); -(2**63-1) does the same here without the overflow.
	removed := l.Remove(c.Args[3], int(max(count, -math.MaxInt64)))
	if removed > 0 {
		saveList(c, c.Args[1], l, false)
	}
	c.W.Int(int64(removed))
}

// lposArgs are LPOS's options, as Redis 7.0 parses them.
type lposArgs struct {
	rank     int64 // which match to start from: 1 the first, -1 the last
	count    int64 // -1: not given (reply an integer); 0: every match
	maxLen   int64 // how many elements to compare; 0: all
	fromTail bool
}

// lposNonNegative reads LPOS's COUNT or MAXLEN value at argument i, writing
// Redis's "ERR <name> can't be negative" for a negative or non-integer one.
func lposNonNegative(c *Call, i int, name string) (int64, bool) {
	n, ok := parseInt(c.Args[i])
	if !ok || n < 0 {
		c.W.Error("ERR " + name + " can't be negative")
		return 0, false
	}
	return n, true
}

// parseLPos parses LPOS's options from argument 3 on, writing Redis's
// error for a bad one. A word without the value it names is a syntax error.
func parseLPos(c *Call) (lposArgs, bool) {
	o := lposArgs{rank: 1, count: -1}
	for i := 3; i < len(c.Args); i++ {
		opt := string(c.Args[i])
		more := i+1 < len(c.Args)
		switch {
		case more && equalFold(opt, "rank"):
			i++
			n, ok := c.Int(i)
			if !ok {
				return o, false
			}
			if n == 0 {
				c.W.Error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return o, false
			}
			o.rank = n
		case more && equalFold(opt, "count"):
			i++
			var ok bool
			if o.count, ok = lposNonNegative(c, i, "COUNT"); !ok {
				return o, false
			}
		case more && equalFold(opt, "maxlen"):
			i++
			var ok bool
			if o.maxLen, ok = lposNonNegative(c, i, "MAXLEN"); !ok {
				return o, false
			}
		default:
			c.W.Error(ErrSyntax)
			return o, false
		}
	}
	if o.rank < 0 {
		// -RANK counts from the tail. RANK -2**63 stays negative, as it does
		// in Redis's C: every match then reaches it, so the first one counts.
		o.rank, o.fromTail = -o.rank, true
	}
	return o, true
}

// cmdLPos is LPOS key element [RANK r] [COUNT n] [MAXLEN m]: the positions
// of matches (always counted from the head), an integer or null without
// COUNT, an array with it.
func cmdLPos(c *Call) {
	o, ok := parseLPos(c)
	if !ok {
		return
	}
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		if o.count != -1 {
			c.W.Array(0)
		} else {
			c.W.Null()
		}
		return
	}
	found := lposFind(l, c.Args[2], o)
	if o.count != -1 {
		c.W.Array(len(found))
		for _, p := range found {
			c.W.Int(int64(p))
		}
		return
	}
	if len(found) == 0 {
		c.W.Null()
		return
	}
	c.W.Int(int64(found[0]))
}

// lposFind returns the positions LPOS answers with: the matches from the
// rank-th on, up to count of them (one without COUNT), looking at maxLen
// elements at most, from the end RANK's sign names.
func lposFind(l *List, elem []byte, o lposArgs) []int {
	want := o.count
	if want == -1 {
		want = 1
	}
	var found []int
	matches := int64(0)
	k := int64(0)
	l.scan(o.fromTail, func(p int, e []byte) bool {
		if o.maxLen != 0 && k >= o.maxLen {
			return false
		}
		k++
		if string(e) != string(elem) {
			return true
		}
		matches++
		if matches >= o.rank {
			found = append(found, p)
			if want != 0 && matches-o.rank+1 >= want {
				return false
			}
		}
		return true
	})
	return found
}
