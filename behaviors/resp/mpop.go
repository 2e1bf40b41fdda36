package resp

// The pops from the first of several keys, said once for lists and sorted
// sets: the walk over the keys (popFirst: BLPOP, BRPOP, BZPOPMIN, BZPOPMAX,
// [B]LMPOP, [B]ZMPOP), and the arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP
// (numkeys key [key ...] <side> [COUNT count]), so the list and sorted-set
// forms keep Redis's one order of checks and error texts; each parses its own
// side word (LEFT|RIGHT, MIN|MAX).

// popFirst runs pop on the first of keys that holds a T and says whether it
// replied, a WRONGTYPE error for a key of another type before it included;
// false: none holds one, and nothing was written. A blocked command run
// again (Call.Woken) looks at the woken key alone, if it now holds a T: Redis
// 7.0 serves a blocked client from the key whose change woke it, whichever
// of its keys comes first, and a key that became another type leaves the
// client blocked, not answered WRONGTYPE.
func popFirst[T interface {
	Value
	comparable
}](c *Call, keys [][]byte, pop func(key []byte, v T)) bool {
	if c.Woken != nil {
		keys = nil
		if _, ok := c.DB.Get(c.Woken).(T); ok {
			keys = [][]byte{c.Woken}
		}
	}
	var none T
	for _, k := range keys {
		v, ok := Lookup[T](c, k)
		if !ok {
			return true
		}
		if v != none {
			pop(k, v)
			return true
		}
	}
	return false
}

// mpopArgs are [B]LMPOP's and [B]ZMPOP's numkeys key [key ...] <side>
// [COUNT count].
type mpopArgs struct {
	keys  [][]byte
	side  bool // the side word: true for LEFT (a list), MAX (a sorted set)
	count int64
}

// parseMPop parses [B]LMPOP's or [B]ZMPOP's arguments from numkeys (at
// argument at) on, in Redis's order and with its errors; side parses the
// side word at argument i, writing its error (parseWhere, parseMinMax).
func parseMPop(c *Call, at int, side func(c *Call, i int) (bool, bool)) (mpopArgs, bool) {
	var o mpopArgs
	where, ok := parseMPopNumkeys(c, at)
	if !ok {
		return o, false
	}
	if o.side, ok = side(c, where); !ok {
		return o, false
	}
	o.keys = c.Args[at+1 : where]
	o.count, ok = parseMPopCount(c, where+1)
	return o, ok
}

// parseMPopNumkeys reads numkeys at argument at and returns the index of the
// side word after the keys, writing Redis's error when numkeys is not a
// positive integer or leaves no room for the keys and the side word.
func parseMPopNumkeys(c *Call, at int) (where int, ok bool) {
	n, ok := parseInt(c.Args[at])
	if !ok || n < 1 {
		c.W.Error("ERR numkeys should be greater than 0")
		return 0, false
	}
	if n >= int64(len(c.Args)-at-1) { // no room for the keys and the side word
		c.W.Error(ErrSyntax)
		return 0, false
	}
	return at + 1 + int(n), true
}

// parseMPopCount reads the optional COUNT count from argument from to the
// end (1 when absent), writing Redis's error for anything else there.
func parseMPopCount(c *Call, from int) (int64, bool) {
	count := int64(-1)
	for j := from; j < len(c.Args); j++ {
		if count != -1 || !equalFold(string(c.Args[j]), "count") || j+1 == len(c.Args) {
			c.W.Error(ErrSyntax)
			return 0, false
		}
		j++
		var ok bool
		if count, ok = parseInt(c.Args[j]); !ok || count < 1 {
			c.W.Error("ERR count should be greater than 0")
			return 0, false
		}
	}
	if count == -1 {
		count = 1
	}
	return count, true
}
