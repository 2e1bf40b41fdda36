package resp

// ZRANGE and its older forms, ZRANGESTORE, and ZREMRANGEBY*: Redis 7.0's
// zrangeGenericCommand and zremrangeGenericCommand.

var zsetRangeCommands = []Command{
	{Name: "zrange", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Return a range of members in a sorted set", Run: cmdZrange},
	{Name: "zrangestore", Arity: -5, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "sorted-set", Summary: "Store a range of members from sorted set into another key", Run: cmdZrangestore},
	{Name: "zrevrange", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", Run: cmdZrevrange},
	{Name: "zrangebyscore", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Return a range of members in a sorted set, by score", Run: cmdZrangebyscore},
	{Name: "zrevrangebyscore", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", Run: cmdZrevrangebyscore},
	{Name: "zrangebylex", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Return a range of members in a sorted set, by lexicographical range", Run: cmdZrangebylex},
	{Name: "zrevrangebylex", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", Run: cmdZrevrangebylex},
	{Name: "zremrangebyrank", Arity: 4, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Remove all members in a sorted set within the given indexes", Run: cmdZremrangebyrank},
	{Name: "zremrangebyscore", Arity: 4, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Remove all members in a sorted set within the given scores", Run: cmdZremrangebyscore},
	{Name: "zremrangebylex", Arity: 4, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Remove all members in a sorted set between the given lexicographical range", Run: cmdZremrangebylex},
}

// rangeBy is how a range is given.
type rangeBy uint8

const (
	rangeAuto rangeBy = iota // ZRANGE: by rank unless BYSCORE or BYLEX
	byRank
	byScore
	byLex
)

// zrangeReq is one parsed range request.
type zrangeReq struct {
	by            rangeBy
	rev           bool
	withScores    bool
	offset, limit int64 // LIMIT; limit -1: none
	start, end    int64 // by rank
	score         scoreRange
	lex           lexRange
}

// scored is one member and its score, as a range returns them.
type scored struct {
	member string
	score  float64
}

func cmdZrange(c *Call)           { zrangeGeneric(c, 1, false, rangeAuto, false, true) }
func cmdZrangestore(c *Call)      { zrangeGeneric(c, 2, true, rangeAuto, false, true) }
func cmdZrevrange(c *Call)        { zrangeGeneric(c, 1, false, byRank, true, false) }
func cmdZrangebyscore(c *Call)    { zrangeGeneric(c, 1, false, byScore, false, false) }
func cmdZrevrangebyscore(c *Call) { zrangeGeneric(c, 1, false, byScore, true, false) }
func cmdZrangebylex(c *Call)      { zrangeGeneric(c, 1, false, byLex, false, false) }
func cmdZrevrangebylex(c *Call)   { zrangeGeneric(c, 1, false, byLex, true, false) }

// zrangeGeneric runs every range form: the source key at argument at, its
// range after it; store puts the result at Args[1]; by and rev are the
// command's own, and revOpt whether REV may be given.
func zrangeGeneric(c *Call, at int, store bool, by rangeBy, rev, revOpt bool) {
	req, ok := parseZrange(c, at, store, by, rev, revOpt)
	if !ok {
		return
	}
	z, ok := Lookup[*ZSet](c, c.Args[at])
	if !ok {
		return
	}
	var items []scored
	if z != nil {
		items = z.rangeItems(req)
	}
	if store {
		storeScored(c, c.Args[1], items)
		return
	}
	writeScored(c.W, items, req.withScores, true)
}

// parseZrange reads the options, then the range, with Redis's errors in
// Redis's order (an option's error before the range's).
func parseZrange(c *Call, at int, store bool, by rangeBy, rev, revOpt bool) (zrangeReq, bool) {
	req := zrangeReq{by: by, rev: rev, limit: -1}
	if !req.readOptions(c, at, store, by, revOpt) {
		return req, false
	}
	if req.by == rangeAuto {
		req.by = byRank
	}
	if req.limit != -1 && req.by == byRank { // Redis checks the count, not whether LIMIT was given
		c.W.Error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return req, false
	}
	if req.withScores && req.by == byLex {
		c.W.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return req, false
	}
	return req, req.readRange(c, at)
}

// readOptions reads the options after the range (which starts at argument
// at+1) into req, in the order given: WITHSCORES unless the command stores,
// LIMIT, REV where revOpt allows it, and BYSCORE or BYLEX (one of them)
// where the command's own by leaves it open. It is false once it has
// answered an option it does not take, or a LIMIT that is not a number.
func (req *zrangeReq) readOptions(c *Call, at int, store bool, by rangeBy, revOpt bool) bool {
	for j := at + 3; j < len(c.Args); j++ {
		opt, left := string(c.Args[j]), len(c.Args)-j-1
		switch {
		case !store && equalFold(opt, "withscores"):
			req.withScores = true
		case equalFold(opt, "limit") && left >= 2:
			var ok bool
			if req.offset, ok = c.Int(j + 1); !ok {
				return false
			}
			if req.limit, ok = c.Int(j + 2); !ok {
				return false
			}
			j += 2
		case revOpt && equalFold(opt, "rev"):
			req.rev = true
		case by == rangeAuto && req.by == rangeAuto && equalFold(opt, "bylex"):
			req.by = byLex
		case by == rangeAuto && req.by == rangeAuto && equalFold(opt, "byscore"):
			req.by = byScore
		default:
			c.W.Error(ErrSyntax)
			return false
		}
	}
	return true
}

// readRange reads the range, arguments at+1 and at+2, as req.by says:
// ranks, or scores or lex bounds, which a reversed range gives as max, min.
// It is false once it has answered a range that does not parse.
func (req *zrangeReq) readRange(c *Call, at int) bool {
	lo, hi := string(c.Args[at+1]), string(c.Args[at+2])
	if req.rev && req.by != byRank { // given as max, min
		lo, hi = hi, lo
	}
	var ok bool
	switch req.by {
	case byRank:
		if req.start, ok = c.Int(at + 1); !ok {
			return false
		}
		if req.end, ok = c.Int(at + 2); !ok {
			return false
		}
	case byScore:
		if req.score, ok = parseScoreRange(lo, hi); !ok {
			c.W.Error(errMinMaxFloat)
		}
	case byLex:
		if req.lex, ok = parseLexRange(lo, hi); !ok {
			c.W.Error(errMinMaxLex)
		}
	}
	return ok
}

// rankSpan turns Redis's start/end indexes (negative from the end) into
// 1-based ranks first..last (first > last: none), as indexRange does.
func rankSpan(start, end int64, n int) (int, int) {
	from, to, ok := indexRange(start, end, n)
	if !ok {
		return 1, 0
	}
	return from + 1, to + 1
}

// rangeItems is the members req selects, in its order.
func (z *ZSet) rangeItems(req zrangeReq) []scored {
	var first, last int
	offset, limit := 0, -1
	switch req.by {
	case byRank:
		first, last = rankSpan(req.start, req.end, z.len())
		if req.rev { // ranks counted from the top
			first, last = z.len()+1-last, z.len()+1-first
		}
	case byLex:
		var out []scored
		z.lexWalk(req.lex, req.rev, req.offset, req.limit, func(n *zslNode) bool {
			out = append(out, scored{n.member, n.score})
			return true
		})
		return out
	case byScore:
		first, last = z.scoreSpan(req.score)
		if req.offset < 0 {
			return nil // Redis skips forever: nothing
		}
		offset, limit = int(min(req.offset, 1<<40)), int(max(min(req.limit, 1<<40), -1))
		if req.limit < 0 {
			limit = -1
		}
	}
	var out []scored
	z.rangeNodes(first, last, req.rev, offset, limit, func(n *zslNode) bool {
		out = append(out, scored{n.member, n.score})
		return true
	})
	return out
}

// writeScored writes members, with their scores if withScores: a flat
// array in RESP2, and in RESP3 an array of [member, score] pairs when pairs
// (Redis 7.0 pairs them for every reply but ZPOPMIN/ZPOPMAX without a count).
func writeScored(w *Writer, items []scored, withScores, pairs bool) {
	switch {
	case !withScores:
		w.Array(len(items))
	case w.Proto >= 3 && pairs:
		w.Array(len(items))
	default:
		w.Array(2 * len(items))
	}
	for _, it := range items {
		writeScoredItem(w, it, withScores, w.Proto >= 3 && pairs)
	}
}

// writeScoredItem writes one member of writeScored's reply: with its score
// if withScores, the two as a pair if pair.
func writeScoredItem(w *Writer, it scored, withScores, pair bool) {
	if withScores && pair {
		w.Array(2)
	}
	w.BulkString(it.member)
	if withScores {
		w.Double(it.score)
	}
}

// storeScored makes items the sorted set at dst (deleting dst if there are
// none) and replies with their number, as the *STORE commands do.
func storeScored(c *Call, dst []byte, items []scored) {
	if len(items) == 0 {
		c.DB.Delete(dst)
		c.W.Int(0)
		return
	}
	z := newResultZset()
	for _, it := range items {
		if !z.table.has(it.member) {
			z.insert(it.member, it.score)
		}
	}
	z.fitListpack()
	c.DB.Set(dst, z, false)
	c.W.Int(int64(z.len()))
}

func cmdZremrangebyrank(c *Call)  { zremrange(c, byRank) }
func cmdZremrangebyscore(c *Call) { zremrange(c, byScore) }
func cmdZremrangebylex(c *Call)   { zremrange(c, byLex) }

// zremrange removes a range: the range is parsed before the key is looked up.
func zremrange(c *Call, by rangeBy) {
	req := zrangeReq{by: by, limit: -1}
	var ok bool
	switch by {
	case byRank:
		if req.start, ok = c.Int(2); !ok {
			return
		}
		if req.end, ok = c.Int(3); !ok {
			return
		}
	case byScore:
		if req.score, ok = parseScoreRange(string(c.Args[2]), string(c.Args[3])); !ok {
			c.W.Error(errMinMaxFloat)
			return
		}
	case byLex:
		if req.lex, ok = parseLexRange(string(c.Args[2]), string(c.Args[3])); !ok {
			c.W.Error(errMinMaxLex)
			return
		}
	}
	z, ok := Lookup[*ZSet](c, c.Args[1])
	if !ok {
		return
	}
	removed := 0
	if z != nil {
		first, last := 1, 0
		switch by {
		case byRank:
			first, last = rankSpan(req.start, req.end, z.len())
		case byScore:
			first, last = z.scoreSpan(req.score)
		case byLex:
			var gone []string
			z.lexWalk(req.lex, false, 0, -1, func(n *zslNode) bool { gone = append(gone, n.member); return true })
			for _, m := range gone {
				z.remove(m)
			}
			removed = len(gone)
		}
		if first <= last {
			removed = z.removeRanks(first, last)
		}
		zsetWritten(c, c.Args[1], z, removed > 0)
	}
	c.W.Int(int64(removed))
}
