package resp

import "math"

// ZSet is a sorted set value: each member's score by member (the table,
// O(1) ZSCORE, random members, ZSCAN) and the members in order (the skiplist,
// O(log n) ranks and ranges). Both always hold the same members.
//
// Redis 7.0 keeps a small sorted set as a "listpack" (at most
// zsetMaxListpackEntries members, none longer than zsetMaxListpackValue
// bytes) and converts it to a "skiplist" for good once it outgrows that;
// clients see which (OBJECT ENCODING, and ZSCAN, which returns a listpack
// whole), so ZSet tracks the encoding Redis would have, though it is a
// skiplist at every size.
type ZSet struct {
	table    *memberTable[*zslNode]
	zsl      *skiplist
	skiplist bool // Redis's encoding would be "skiplist" (else "listpack")
}

// Redis 7.0's zset-max-listpack-entries and zset-max-listpack-value defaults.
const (
	zsetMaxListpackEntries = 128
	zsetMaxListpackValue   = 64
)

var _ Value = (*ZSet)(nil)

func newZset() *ZSet {
	return &ZSet{table: newMemberTable[*zslNode](), zsl: newSkiplist()}
}

// newResultZset is the sorted set ZUNION, ZINTER and ZDIFF build: a
// "skiplist" in Redis, which keeps -0 (the STORE forms then fitListpack).
func newResultZset() *ZSet {
	z := newZset()
	z.skiplist = true
	return z
}

// Type implements Value.
func (z *ZSet) Type() string { return "zset" }

// Encoding implements Value.
func (z *ZSet) Encoding() string {
	if z.skiplist {
		return "skiplist"
	}
	return "listpack"
}

// fitListpack makes the encoding "listpack" if the set fits one, as Redis
// does for the destination of ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE and
// ZRANGESTORE (zsetConvertToListpackIfNeeded).
func (z *ZSet) fitListpack() {
	if z.len() > zsetMaxListpackEntries {
		return
	}
	fits := true
	z.table.each(func(m string, _ *zslNode) bool { fits = len(m) <= zsetMaxListpackValue; return fits })
	if fits {
		z.skiplist = false
		for x := z.zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
			x.score = normalizeZero(x.score) // -0 == 0: the order stays
		}
	}
}

// convert makes the encoding "skiplist", for good.
func (z *ZSet) convert() { z.skiplist = true }

func (z *ZSet) len() int { return z.table.len() }

func (z *ZSet) score(m string) (float64, bool) {
	n, ok := z.table.get(m)
	if !ok {
		return 0, false
	}
	return n.score, true
}

// zaddFlags are ZADD's options (ZINCRBY is ZADD INCR).
type zaddFlags struct{ nx, xx, gt, lt, incr bool }

// zaddResult is what one zsetAdd did.
type zaddResult uint8

const (
	zaddNop     zaddResult = iota // nothing changed (NX, XX, GT, LT said no, or the same score)
	zaddAdded                     // a new member
	zaddUpdated                   // an existing member's score changed
	zaddNaN                       // INCR made NaN (inf + -inf): nothing changed, an error
)

// add applies one score-member pair of ZADD as Redis's zsetAdd: it returns
// what it did and the member's score after it. A same-score update is not a
// change (zaddNop, but the member was processed: INCR still replies).
func (z *ZSet) add(m []byte, score float64, f zaddFlags) (zaddResult, float64, bool) {
	if n, ok := z.table.getBytes(m); ok {
		if f.nx {
			return zaddNop, 0, false
		}
		if f.incr {
			score += n.score
			if math.IsNaN(score) {
				return zaddNaN, 0, false
			}
		}
		if (f.lt && score >= n.score) || (f.gt && score <= n.score) {
			return zaddNop, 0, false
		}
		if score == n.score {
			return zaddNop, score, true
		}
		if !z.skiplist {
			score = normalizeZero(score)
		}
		z.table.setBytes(m, z.zsl.updateScore(n, score))
		return zaddUpdated, score, true
	}
	if f.xx {
		return zaddNop, 0, false
	}
	z.insert(string(m), score)
	return zaddAdded, score, true // as given: -0 in the reply, if stored as 0 (Redis's zsetAdd)
}

// normalizeZero turns -0 into 0, as a listpack stores it (an integral score
// is stored as an integer): a "listpack" sorted set never holds -0, a
// "skiplist" one may (-0 * weights, -0 + -0), and Redis writes it "-0".
func normalizeZero(v float64) float64 {
	if v == 0 {
		return 0
	}
	return v
}

// insert adds m, which must not be a member (a "listpack" set stores -0 as 0).
func (z *ZSet) insert(m string, score float64) {
	if len(m) > zsetMaxListpackValue || z.len() >= zsetMaxListpackEntries {
		z.convert()
	}
	if !z.skiplist {
		score = normalizeZero(score)
	}
	z.table.add(m, z.zsl.insert(score, m))
}

// remove removes m; false if it was not a member.
func (z *ZSet) remove(m string) bool {
	n, ok := z.table.remove(m)
	if ok {
		z.zsl.remove(n.score, m)
	}
	return ok
}

// rank is m's 0-based rank from the lowest score (from the highest if rev).
func (z *ZSet) rank(m string, rev bool) (int, bool) {
	n, ok := z.table.get(m)
	if !ok {
		return 0, false
	}
	r := z.zsl.rank(n.score, m) - 1
	if rev {
		r = z.len() - 1 - r
	}
	return r, true
}

// byRank is the node at 0-based rank r counted from the lowest score (from
// the highest if rev); nil outside the set.
func (z *ZSet) byRank(r int, rev bool) *zslNode {
	if rev {
		r = z.len() - 1 - r
	}
	return z.zsl.byRank(r + 1)
}

// next steps from n toward higher scores, or toward lower ones if rev.
func zslStep(n *zslNode, rev bool) *zslNode {
	if rev {
		return n.backward
	}
	return n.level[0].forward
}

// scoreSpan returns the 1-based ranks of the first and last member within r
// (first > last when there is none).
func (z *ZSet) scoreSpan(r scoreRange) (int, int) {
	if r.empty() {
		return 1, 0
	}
	_, first := z.zsl.firstWhere(func(n *zslNode) bool { return r.belowMin(n.score) })
	_, last := z.zsl.lastWhere(func(n *zslNode) bool { return r.withinMax(n.score) })
	return first, last
}

// Lex ranges are meant for members of one score. On others Redis's answers
// follow from how it looks: in a listpack, the first member from the start
// that is not below min (none if it is past max), then forward while not
// past max (lexFirst, lexWalk); in a skiplist, the same bounds found by
// descending as if members were in lex order, which depends on the random
// levels. lexFirst and lexLast do the same: a listpack's answers are
// Redis's, byte for byte, whatever the scores.

// lexFirst is the node a lex range starts at (zzlFirstInLexRange,
// zslFirstInLexRange), nil if none.
func (z *ZSet) lexFirst(r lexRange) *zslNode {
	if !z.lexOverlaps(r) {
		return nil
	}
	var x *zslNode
	if z.skiplist {
		x, _ = z.zsl.firstWhere(func(n *zslNode) bool { return r.belowMin(n.member) })
	} else {
		for x = z.zsl.header.level[0].forward; x != nil && r.belowMin(x.member); x = x.level[0].forward {
		}
	}
	if x == nil || !r.withinMax(x.member) {
		return nil
	}
	return x
}

// lexLast is the node a reversed lex range starts at, nil if none.
func (z *ZSet) lexLast(r lexRange) *zslNode {
	if !z.lexOverlaps(r) {
		return nil
	}
	var x *zslNode
	if z.skiplist {
		x, _ = z.zsl.lastWhere(func(n *zslNode) bool { return r.withinMax(n.member) })
	} else {
		for x = z.zsl.tail; x != nil && !r.withinMax(x.member); x = x.backward {
		}
	}
	if x == nil || r.belowMin(x.member) {
		return nil
	}
	return x
}

// lexOverlaps is Redis's zslIsInLexRange: the range is not empty, the last
// member is not below min and the first is not past max.
func (z *ZSet) lexOverlaps(r lexRange) bool {
	if r.empty() || z.len() == 0 {
		return false
	}
	return !r.belowMin(z.zsl.tail.member) && r.withinMax(z.zsl.header.level[0].forward.member)
}

// lexWalk calls fn for the members of a lex range from its start (from its
// end if rev), skipping offset members first (unchecked, as Redis skips),
// until a member is out of the range, limit members were given (limit < 0:
// no limit) or fn returns false.
func (z *ZSet) lexWalk(r lexRange, rev bool, offset, limit int64, fn func(*zslNode) bool) {
	if offset < 0 {
		return // Redis skips without end: nothing
	}
	x := z.lexFirst(r)
	if rev {
		x = z.lexLast(r)
	}
	for ; x != nil && offset > 0; offset-- {
		x = zslStep(x, rev)
	}
	for ; x != nil && limit != 0; limit-- {
		if rev && r.belowMin(x.member) || !rev && !r.withinMax(x.member) {
			return
		}
		next := zslStep(x, rev)
		if !fn(x) {
			return
		}
		x = next
	}
}

// scoreCount is ZCOUNT: the members within r.
func (z *ZSet) scoreCount(r scoreRange) int {
	first, last := z.scoreSpan(r)
	return max(last-first+1, 0)
}

// lexCount is ZLEXCOUNT: a walk in a listpack, ranks in a skiplist.
func (z *ZSet) lexCount(r lexRange) int {
	if !z.skiplist {
		n := 0
		z.lexWalk(r, false, 0, -1, func(*zslNode) bool { n++; return true })
		return n
	}
	first := z.lexFirst(r)
	if first == nil {
		return 0
	}
	n := z.len() - z.zsl.rank(first.score, first.member) + 1
	if last := z.lexLast(r); last != nil {
		n -= z.len() - z.zsl.rank(last.score, last.member)
	}
	return n
}

// rangeNodes calls fn for the members of 1-based ranks first..last (in that
// order, or last..first if rev), skipping offset of them and stopping after
// limit (limit < 0: no limit), until fn returns false.
func (z *ZSet) rangeNodes(first, last int, rev bool, offset, limit int, fn func(*zslNode) bool) {
	if first < 1 {
		first = 1
	}
	if last > z.len() {
		last = z.len()
	}
	n := last - first + 1 - offset
	if offset < 0 || n <= 0 || limit == 0 {
		return
	}
	if limit > 0 && limit < n {
		n = limit
	}
	var x *zslNode
	if rev {
		x = z.zsl.byRank(last - offset)
	} else {
		x = z.zsl.byRank(first + offset)
	}
	for ; n > 0 && x != nil; n-- {
		if !fn(x) {
			return
		}
		x = zslStep(x, rev)
	}
}

// removeRanks removes the members of 1-based ranks first..last and returns how
// many it removed.
func (z *ZSet) removeRanks(first, last int) int {
	if first < 1 {
		first = 1
	}
	if last > z.len() {
		last = z.len()
	}
	removed := 0
	for x := z.zsl.byRank(first); x != nil && removed < last-first+1; {
		next := x.level[0].forward
		z.remove(x.member)
		removed++
		x = next
	}
	return removed
}
