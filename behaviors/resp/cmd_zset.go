package resp

// The sorted set commands (Redis 7.0's @sortedset group), run by the key
// space, each in t_zset.c's order of checks. Values are *ZSet (zset.go);
// scores are read and written as score.go says. This file has the single
// member commands; cmd_zset_range.go the ranges, cmd_zset_pop.go the pops
// (blocking ones too), random members and ZSCAN, cmd_zset_ops.go the
// algebra.

var zsetCommands = []Command{
	{Name: "zadd", Arity: -4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Add one or more members to a sorted set, or update its score if it already exists", Run: cmdZadd},
	{Name: "zincrby", Arity: 4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Increment the score of a member in a sorted set", Run: cmdZincrby},
	{Name: "zrem", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Remove one or more members from a sorted set", Run: cmdZrem},
	{Name: "zcard", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Get the number of members in a sorted set", Run: cmdZcard},
	{Name: "zscore", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Get the score associated with the given member in a sorted set", Run: cmdZscore},
	{Name: "zmscore", Arity: -3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Get the score associated with the given members in a sorted set", Run: cmdZmscore},
	{Name: "zrank", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Determine the index of a member in a sorted set", Run: cmdZrank},
	{Name: "zrevrank", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", Run: cmdZrevrank},
	{Name: "zcount", Arity: 4, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Count the members in a sorted set with scores within the given values", Run: cmdZcount},
	{Name: "zlexcount", Arity: 4, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Count the number of members in a sorted set between a given lexicographical range", Run: cmdZlexcount},
}

// Redis's sorted set error replies, word for word.
const (
	errMinMaxFloat = "ERR min or max is not a float"
	errMinMaxLex   = "ERR min or max not valid string range item"
	errNaNScore    = "ERR resulting score is not a number (NaN)"
)

func cmdZadd(c *Call)    { zaddGeneric(c, zaddFlags{}) }
func cmdZincrby(c *Call) { zaddGeneric(c, zaddFlags{incr: true}) }

// zaddGeneric is ZADD and ZINCRBY (ZADD INCR), as zaddGenericCommand: the
// options, then every score is parsed before anything changes.
func zaddGeneric(c *Call, f zaddFlags) {
	ch, at, msg := zaddOptions(c, &f)
	if msg != "" {
		c.W.Error(msg)
		return
	}
	n := len(c.Args) - at
	var few [8]float64 // most ZADDs: no allocation for their scores
	scores := few[:0]
	for i := range n / 2 {
		v, ok := parseFloatArg(string(c.Args[at+2*i]))
		if !ok {
			c.W.Error(ErrNotFloat)
			return
		}
		scores = append(scores, v)
	}
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	created := z == nil
	if created && f.xx {
		zaddReply(c, f.incr, ch, 0, 0, false)
		return
	}
	if created {
		z = newZset()
	}
	changed, added, last, processed := 0, 0, 0.0, false
	for i, score := range scores {
		res, after, done := z.add(c.Args[at+2*i+1], score, f)
		if res == zaddNaN {
			c.W.Error(errNaNScore)
			return
		}
		if res == zaddAdded {
			added++
		}
		if res != zaddNop {
			changed++
		}
		last, processed = after, done
	}
	switch {
	case created:
		c.DB.Set(c.Args[1], z, false)
	case changed > 0:
		c.DB.Changed(c.Args[1])
	}
	zaddReply(c, f.incr, ch, added, changed, processed, last)
}

// zaddOptions reads ZADD's options from c.Args[2:] into f, and returns CH
// and where the score-member pairs begin; msg is the error reply when the
// options do not go together or the rest is not pairs.
func zaddOptions(c *Call, f *zaddFlags) (ch bool, at int, msg string) {
	for at = 2; at < len(c.Args); at++ {
		switch opt := string(c.Args[at]); {
		case equalFold(opt, "nx"):
			f.nx = true
		case equalFold(opt, "xx"):
			f.xx = true
		case equalFold(opt, "ch"):
			ch = true
		case equalFold(opt, "incr"):
			f.incr = true
		case equalFold(opt, "gt"):
			f.gt = true
		case equalFold(opt, "lt"):
			f.lt = true
		default:
			return ch, at, zaddConflict(f, len(c.Args)-at)
		}
	}
	return ch, at, zaddConflict(f, 0)
}

// zaddConflict is the error reply for flags f with n arguments left for
// the pairs, as Redis checks them ("" if none).
func zaddConflict(f *zaddFlags, n int) string {
	switch {
	case n == 0 || n%2 != 0:
		return ErrSyntax
	case f.nx && f.xx:
		return "ERR XX and NX options at the same time are not compatible"
	case (f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt):
		return "ERR GT, LT, and/or NX options at the same time are not compatible"
	case f.incr && n > 2:
		return "ERR INCR option supports a single increment-element pair"
	}
	return ""
}

// zaddReply answers ZADD: INCR's new score (null if nothing was done), else
// the members added (and updated, with CH).
func zaddReply(c *Call, incr, ch bool, added, changed int, processed bool, score ...float64) {
	switch {
	case incr && processed:
		c.W.Double(score[0])
	case incr:
		c.W.Null()
	case ch:
		c.W.Int(int64(changed))
	default:
		c.W.Int(int64(added))
	}
}

func cmdZrem(c *Call) {
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	removed := 0
	if z != nil {
		for _, m := range c.Args[2:] {
			if z.remove(string(m)) {
				removed++
			}
		}
		zsetWritten(c, c.Args[1], z, removed > 0)
	}
	c.W.Int(int64(removed))
}

// zsetWritten records a change to the sorted set at key: an empty one is
// deleted, as Redis never keeps one.
func zsetWritten(c *Call, key []byte, z *ZSet, changed bool) {
	switch {
	case z.len() == 0:
		c.DB.Delete(key)
	case changed:
		c.DB.Changed(key)
	}
}

func cmdZcard(c *Call) {
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	n := 0
	if z != nil {
		n = z.len()
	}
	c.W.Int(int64(n))
}

func cmdZscore(c *Call) {
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	writeScoreOrNull(c.W, z, string(c.Args[2]))
}

func writeScoreOrNull(w *Writer, z *ZSet, m string) {
	if z != nil {
		if s, ok := z.score(m); ok {
			w.Double(s)
			return
		}
	}
	w.Null()
}

func cmdZmscore(c *Call) {
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		writeScoreOrNull(c.W, z, string(m))
	}
}

func cmdZrank(c *Call)    { zrank(c, false) }
func cmdZrevrank(c *Call) { zrank(c, true) }

func zrank(c *Call, rev bool) {
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	if z != nil {
		if r, ok := z.rank(string(c.Args[2]), rev); ok {
			c.W.Int(int64(r))
			return
		}
	}
	c.W.Null()
}

func cmdZcount(c *Call)    { zcount(c, parseScoreRange, errMinMaxFloat, (*ZSet).scoreCount) }
func cmdZlexcount(c *Call) { zcount(c, parseLexRange, errMinMaxLex, (*ZSet).lexCount) }

// zcount is ZCOUNT and ZLEXCOUNT key min max: the members of key within the
// range parse makes of min and max (errText if it makes none), as count
// counts them.
func zcount[R any](c *Call, parse func(min, max string) (R, bool), errText string, count func(*ZSet, R) int) {
	r, ok := parse(string(c.Args[2]), string(c.Args[3]))
	if !ok {
		c.W.Error(errText)
		return
	}
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	n := 0
	if z != nil {
		n = count(z, r)
	}
	c.W.Int(int64(n))
}
