package resp

import (
	"math"
	"slices"
)

// ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD: Redis 7.0's
// zunionInterDiffGenericCommand. Inputs may be sets (each member scores 1).

var zsetOpsCommands = []Command{
	{Name: "zunion", Arity: -3, Flags: ReadOnly, Group: "sorted-set", Summary: "Add multiple sorted sets", Keys: numkeysKeys(1), Run: cmdZunion},
	{Name: "zinter", Arity: -3, Flags: ReadOnly, Group: "sorted-set", Summary: "Intersect multiple sorted sets", Keys: numkeysKeys(1), Run: cmdZinter},
	{Name: "zdiff", Arity: -3, Flags: ReadOnly, Group: "sorted-set", Summary: "Subtract multiple sorted sets", Keys: numkeysKeys(1), Run: cmdZdiff},
	{Name: "zunionstore", Arity: -4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Add multiple sorted sets and store the resulting sorted set in a new key", Keys: numkeysKeys(2, 1), Run: cmdZunionstore},
	{Name: "zinterstore", Arity: -4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", Keys: numkeysKeys(2, 1), Run: cmdZinterstore},
	{Name: "zdiffstore", Arity: -4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "sorted-set", Summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", Keys: numkeysKeys(2, 1), Run: cmdZdiffstore},
	{Name: "zintercard", Arity: -3, Flags: ReadOnly, Group: "sorted-set", Summary: "Intersect multiple sorted sets and return the cardinality of the result", Keys: numkeysKeys(1), Run: cmdZintercard},
}

type zsetOp uint8

const (
	opUnion zsetOp = iota
	opInter
	opDiff
)

// aggregate is AGGREGATE's choice.
type aggregate uint8

const (
	aggSum aggregate = iota
	aggMin
	aggMax
)

// zsource is one input: a sorted set, a set (scores 1) or nothing.
type zsource struct {
	z      *ZSet
	s      *Set
	weight float64
}

func (src zsource) len() int {
	switch {
	case src.z != nil:
		return src.z.len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

func (src zsource) find(m string) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.score(m)
	case src.s != nil:
		return 1, src.s.Has(m)
	}
	return 0, false
}

// each calls fn for each member until fn returns false (ZINTERCARD's
// LIMIT reached).
func (src zsource) each(fn func(m string, score float64) bool) {
	switch {
	case src.z != nil:
		for x := src.z.zsl.header.level[0].forward; x != nil && fn(x.member, x.score); x = x.level[0].forward {
		}
	case src.s != nil:
		src.s.Each(func(m string) bool { return fn(m, 1) })
	}
}

// same says whether two inputs are the same key's value (ZDIFF k k).
func (src zsource) same(o zsource) bool {
	return (src.z != nil && src.z == o.z) || (src.s != nil && src.s == o.s)
}

func cmdZunion(c *Call)      { zsetAlgebra(c, 1, false, opUnion, false) }
func cmdZinter(c *Call)      { zsetAlgebra(c, 1, false, opInter, false) }
func cmdZdiff(c *Call)       { zsetAlgebra(c, 1, false, opDiff, false) }
func cmdZunionstore(c *Call) { zsetAlgebra(c, 2, true, opUnion, false) }
func cmdZinterstore(c *Call) { zsetAlgebra(c, 2, true, opInter, false) }
func cmdZdiffstore(c *Call)  { zsetAlgebra(c, 2, true, opDiff, false) }
func cmdZintercard(c *Call)  { zsetAlgebra(c, 1, false, opInter, true) }

// zsetAlgebra runs one of the commands: numkeys at argument at, the keys
// (looked up, and type-checked, before the options are read, as Redis does),
// then WEIGHTS, AGGREGATE, WITHSCORES or LIMIT as the command allows.
func zsetAlgebra(c *Call, at int, store bool, op zsetOp, card bool) {
	srcs, ok := zsources(c, at)
	if !ok {
		return
	}
	o, ok := zalgebraOptions(c, at+1+len(srcs), srcs, op != opDiff && !card, !store && !card, card)
	if !ok {
		return
	}
	if card {
		c.W.Int(interCard(srcs, o.limit))
		return
	}
	res := combine(srcs, op, o.agg)
	if store {
		storeResult(c, c.Args[1], res)
		return
	}
	writeScored(c.W, res.rangeItems(zrangeReq{by: byRank, start: 0, end: -1, limit: -1}), o.withScores, true)
}

// zsources reads the numkeys at c.Args[at] and the keys after it, and
// returns their sets (weight 1), as Redis reads them before any option: an
// error (and false) for a bad count or a key of another type.
func zsources(c *Call, at int) ([]zsource, bool) {
	n, ok := c.Int(at)
	if !ok {
		return nil, false
	}
	if n < 1 {
		c.W.Error("ERR at least 1 input key is needed for '" + c.Name() + "' command")
		return nil, false
	}
	if n > int64(len(c.Args)-at-1) {
		c.W.Error(ErrSyntax)
		return nil, false
	}
	srcs := make([]zsource, n)
	for i := range srcs {
		v, _ := Lookup[Value](c, c.Args[at+1+i])
		srcs[i].weight = 1
		switch v := v.(type) {
		case nil:
		case *ZSet:
			srcs[i].z = v
		case *Set:
			srcs[i].s = v
		default:
			c.W.Error(ErrWrongType)
			return nil, false
		}
	}
	return srcs, true
}

// zalgebraOpts are the options after the keys.
type zalgebraOpts struct {
	agg        aggregate
	withScores bool
	limit      int64 // ZINTERCARD's LIMIT; 0: none
}

// zalgebraOptions reads the options from c.Args[from:]: WEIGHTS (into
// srcs) and AGGREGATE where weighted, WITHSCORES where withScores, LIMIT
// where limit; an error (and false) for any other.
func zalgebraOptions(c *Call, from int, srcs []zsource, weighted, withScores, limit bool) (o zalgebraOpts, ok bool) {
	for j := from; j < len(c.Args); j++ {
		opt, left := string(c.Args[j]), len(c.Args)-j
		switch {
		case weighted && left >= len(srcs)+1 && equalFold(opt, "weights"):
			for i := range srcs {
				j++
				if srcs[i].weight, ok = parseFloatArg(string(c.Args[j])); !ok {
					c.W.Error("ERR weight value is not a float")
					return o, false
				}
			}
		case weighted && left >= 2 && equalFold(opt, "aggregate"):
			j++
			switch a := string(c.Args[j]); {
			case equalFold(a, "sum"):
				o.agg = aggSum
			case equalFold(a, "min"):
				o.agg = aggMin
			case equalFold(a, "max"):
				o.agg = aggMax
			default:
				c.W.Error(ErrSyntax)
				return o, false
			}
		case withScores && equalFold(opt, "withscores"):
			o.withScores = true
		case limit && left >= 2 && equalFold(opt, "limit"):
			j++
			if o.limit, ok = parseInt(c.Args[j]); !ok || o.limit < 0 {
				c.W.Error("ERR LIMIT can't be negative")
				return o, false
			}
		default:
			c.W.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// storeResult stores res (a new set, no other's) at dst as storeScored would
// store its items, without building it a second time.
func storeResult(c *Call, dst []byte, res *ZSet) {
	if res.len() == 0 {
		c.DB.Delete(dst)
		c.W.Int(0)
		return
	}
	res.fitListpack()
	c.DB.Set(dst, res, false)
	c.W.Int(int64(res.len()))
}

// aggregateInto combines v into *t as AGGREGATE says; a sum that is NaN
// (inf + -inf) is 0, as in Redis.
func aggregateInto(t *float64, v float64, agg aggregate) {
	switch agg {
	case aggSum:
		if *t += v; math.IsNaN(*t) {
			*t = 0
		}
	case aggMin:
		if v < *t {
			*t = v
		}
	case aggMax:
		if v > *t {
			*t = v
		}
	}
}

// weighted is a member's weighted score from its source; NaN (inf * 0) is 0.
func weighted(score, weight float64) float64 {
	if v := score * weight; !math.IsNaN(v) {
		return v
	}
	return 0
}

// combine computes a union, intersection or difference. Union and
// intersection visit the inputs smallest first, as Redis does, so sums are
// added in Redis's order (doubles are not associative).
func combine(srcs []zsource, op zsetOp, agg aggregate) *ZSet {
	out := newResultZset()
	if op != opDiff {
		srcs = slices.Clone(srcs)
		slices.SortStableFunc(srcs, func(a, b zsource) int { return a.len() - b.len() })
	}
	switch op {
	case opUnion:
		acc := map[string]float64{}
		var order []string
		for _, src := range srcs {
			src.each(func(m string, s float64) bool {
				v := weighted(s, src.weight)
				if cur, ok := acc[m]; ok {
					aggregateInto(&cur, v, agg)
					acc[m] = cur
					return true
				}
				acc[m] = v
				order = append(order, m)
				return true
			})
		}
		for _, m := range order {
			out.insert(m, acc[m])
		}
	case opInter:
		interEach(srcs, agg, func(m string, score float64) bool { out.insert(m, score); return true })
	case opDiff:
		diffInto(out, srcs)
	}
	return out
}

// diffInto puts in out the members of srcs[0] that no other input has, as
// Redis's zdiff algorithm 1 finds them: nothing when another input is the
// first one (ZDIFF 2 k k), else the others asked largest first, where a
// member is likeliest to be found. (Its algorithm 2, removing the others'
// members from a copy of the first, which it picks when all the inputs
// together are fewer than half the first's size times their number, is not
// done here: it saves lookups, not the inserts.)
func diffInto(out *ZSet, srcs []zsource) {
	others := slices.Clone(srcs[1:])
	for _, o := range others {
		if o.same(srcs[0]) {
			return
		}
	}
	slices.SortStableFunc(others, func(a, b zsource) int { return b.len() - a.len() })
	srcs[0].each(func(m string, s float64) bool {
		for _, o := range others {
			if _, ok := o.find(m); ok {
				return true
			}
		}
		out.insert(m, s)
		return true
	})
}

// interEach calls fn for each member of every input (srcs sorted smallest
// first) with its aggregated score, until fn returns false.
func interEach(srcs []zsource, agg aggregate, fn func(m string, score float64) bool) {
	if srcs[0].len() == 0 {
		return
	}
	srcs[0].each(func(m string, s float64) bool {
		score := weighted(s, srcs[0].weight)
		for _, o := range srcs[1:] {
			v, ok := s, true // the first input again (ZINTER 2 k k): no lookup, as in Redis
			if !o.same(srcs[0]) {
				v, ok = o.find(m)
			}
			if !ok {
				return true
			}
			aggregateInto(&score, v*o.weight, agg)
		}
		return fn(m, score)
	})
}

// interCard is ZINTERCARD's count, up to limit (0: no limit).
func interCard(srcs []zsource, limit int64) int64 {
	srcs = slices.Clone(srcs)
	slices.SortStableFunc(srcs, func(a, b zsource) int { return a.len() - b.len() })
	n := int64(0)
	interEach(srcs, aggSum, func(string, float64) bool {
		n++
		return limit == 0 || n < limit
	})
	return n
}
