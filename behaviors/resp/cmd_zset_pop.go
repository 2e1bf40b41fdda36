package resp

// Pops (ZPOPMIN ZPOPMAX ZMPOP and their blocking forms on Call.Block),
// ZRANDMEMBER and ZSCAN.

var zsetPopCommands = []Command{
	{Name: "zpopmin", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Remove and return members with the lowest scores in a sorted set", Run: cmdZpopmin},
	{Name: "zpopmax", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Remove and return members with the highest scores in a sorted set", Run: cmdZpopmax},
	{Name: "zmpop", Arity: -4, Flags: Write, Group: "sorted-set", Summary: "Remove and return members with scores in a sorted set", Keys: numkeysKeys(1), Run: cmdZmpop},
	{Name: "bzpopmin", Arity: -3, Flags: Write | NoScript | Blocking | Fast, FirstKey: 1, LastKey: -2, Step: 1, Group: "sorted-set", Summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", Run: cmdBzpopmin},
	{Name: "bzpopmax", Arity: -3, Flags: Write | NoScript | Blocking | Fast, FirstKey: 1, LastKey: -2, Step: 1, Group: "sorted-set", Summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", Run: cmdBzpopmax},
	{Name: "bzmpop", Arity: -5, Flags: Write | Blocking, Group: "sorted-set", Summary: "Remove and return members with scores in a sorted set or block until one is available", Keys: numkeysKeys(2), Run: cmdBzmpop},
	{Name: "zrandmember", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Get one or multiple random elements from a sorted set", Run: cmdZrandmember},
	{Name: "zscan", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Incrementally iterate sorted sets elements and associated scores", Run: cmdZscan},
}

// pop removes up to count members from the lowest scores (the highest if
// max) and returns them, deleting the key if the set is emptied.
func (z *ZSet) pop(count int64, max bool) []scored {
	n := int(min(count, int64(z.len())))
	out := make([]scored, 0, n)
	for range n {
		x := z.byRank(0, max)
		out = append(out, scored{x.member, x.score})
		z.remove(x.member)
	}
	return out
}

func cmdZpopmin(c *Call) { zpop(c, false) }
func cmdZpopmax(c *Call) { zpop(c, true) }

// zpop is ZPOPMIN and ZPOPMAX key [count].
func zpop(c *Call, max bool) {
	if len(c.Args) > 3 {
		c.W.Error(ErrSyntax)
		return
	}
	count := int64(1)
	if len(c.Args) == 3 {
		var ok bool
		if count, ok = c.count(2); !ok {
			return
		}
	}
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	if z == nil || count == 0 {
		c.W.Array(0)
		return
	}
	items := z.pop(count, max)
	zsetWritten(c, c.Args[1], z, true)
	writeScored(c.W, items, true, len(c.Args) == 3) // RESP3 pairs only with a count
}

func cmdBzpopmin(c *Call) { bzpop(c, false) }
func cmdBzpopmax(c *Call) { bzpop(c, true) }

// bzpop is BZPOPMIN and BZPOPMAX key [key ...] timeout: [key, member, score]
// from the first key holding a sorted set (popFirst), or a wait for one.
func bzpop(c *Call, max bool) {
	timeout, ok := blockTimeout(c, len(c.Args)-1)
	if !ok {
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	popped := popFirst(c, keys, func(k []byte, z *ZSet) {
		it := z.pop(1, max)[0]
		zsetWritten(c, k, z, true)
		c.W.Array(3)
		c.W.Bulk(k)
		c.W.BulkString(it.member)
		c.W.Double(it.score)
	})
	if !popped {
		c.Block(keys, timeout, timedOut)
	}
}

// parseMinMax parses MIN or MAX (any case) at argument i, writing a syntax
// error for anything else; true for MAX.
func parseMinMax(c *Call, i int) (max, ok bool) {
	switch w := string(c.Args[i]); {
	case equalFold(w, "min"):
		return false, true
	case equalFold(w, "max"):
		return true, true
	}
	c.W.Error(ErrSyntax)
	return false, false
}

// zmpop pops from the first key holding a sorted set, replying [key,
// [[member, score], ...]]; false means every key was missing (nothing
// written).
func zmpop(c *Call, o mpopArgs) bool {
	return popFirst(c, o.keys, func(k []byte, z *ZSet) {
		items := z.pop(o.count, o.side)
		zsetWritten(c, k, z, true)
		c.W.Array(2)
		c.W.Bulk(k)
		c.W.Array(len(items))
		for _, it := range items {
			c.W.Array(2)
			c.W.BulkString(it.member)
			c.W.Double(it.score)
		}
	})
}

func cmdZmpop(c *Call) {
	o, ok := parseMPop(c, 1, parseMinMax)
	if ok && !zmpop(c, o) {
		c.W.NullArray()
	}
}

// cmdBzmpop is BZMPOP timeout numkeys ...: the timeout is parsed last, as
// Redis does.
func cmdBzmpop(c *Call) {
	o, ok := parseMPop(c, 2, parseMinMax)
	if !ok {
		return
	}
	timeout, ok := blockTimeout(c, 1)
	if ok && !zmpop(c, o) {
		c.Block(o.keys, timeout, timedOut)
	}
}

func cmdZrandmember(c *Call) {
	if len(c.Args) >= 3 {
		zrandmemberCount(c)
		return
	}
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	if z == nil {
		c.W.Null()
		return
	}
	m, _ := z.table.random()
	c.W.BulkString(m)
}

// zrandmemberCount is ZRANDMEMBER key count [WITHSCORES]; a negative count
// allows repeats (bounded as SRANDMEMBER's is).
func zrandmemberCount(c *Call) {
	count, ok := parseRandomCount(c, 2)
	if !ok {
		return
	}
	withScores := len(c.Args) == 4
	if len(c.Args) > 4 || withScores && !equalFold(string(c.Args[3]), "withscores") {
		c.W.Error(ErrSyntax)
		return
	}
	if withScores && (count < -(1<<62-1) || count > 1<<62-1) { // LONG_MAX/2 either way, as Redis
		c.W.Error("ERR value is out of range")
		return
	}
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	if z == nil || count == 0 {
		c.W.Array(0)
		return
	}
	if count < 0 {
		pairs := withScores && c.W.Proto >= 3
		header := func(n int64) int64 {
			if withScores && !pairs {
				return 2 * n
			}
			return n
		}
		randomRepeats(c, -count, header, func() {
			m, n := z.table.random()
			writeScoredItem(c.W, scored{m, n.score}, withScores, pairs)
		})
		return
	}
	var items []scored
	switch {
	case count >= int64(z.len()): // the whole set, highest first, as Redis 7.0 replies
		items = z.rangeItems(zrangeReq{by: byRank, rev: true, start: 0, end: -1, limit: -1})
	default:
		random := func() string { m, _ := z.table.random(); return m }
		all := func() []string { return z.members() }
		for _, m := range sampleDistinct(z.len(), int(count), random, all) {
			s, _ := z.score(m)
			items = append(items, scored{m, s})
		}
	}
	writeScored(c.W, items, withScores, true)
}

// members lists the members in score order.
func (z *ZSet) members() []string {
	out := make([]string, 0, z.len())
	for x := z.zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
		out = append(out, x.member)
	}
	return out
}

func cmdZscan(c *Call) {
	cursor, z, o, ok := scanStart[*ZSet](c)
	if !ok {
		return
	}
	var found []string
	take := func(m string, n *zslNode) {
		if o.matches(m) {
			found = append(found, m, formatScore(n.score))
		}
	}
	next := uint64(0)
	if z.skiplist {
		next = z.table.scan(cursor, o.count, take)
	} else { // a listpack is returned whole, in order, as Redis does
		for x := z.zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
			take(x.member, x)
		}
	}
	writeScan(c.W, next, found)
}
