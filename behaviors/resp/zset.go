package resp

import "math"

// zset is a sorted set's value: each member's score by member (the table,
// O(1) ZSCORE, random members, ZSCAN) and the members in order (the skiplist,
// O(log n) ranks and ranges). Both always hold the same members.
type zset struct {
	table *memberTable[*zslNode]
	zsl   *skiplist
}

func newZset() *zset {
	return &zset{table: newMemberTable[*zslNode](), zsl: newSkiplist()}
}

func (z *zset) len() int { return z.table.len() }

func (z *zset) score(m string) (float64, bool) {
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
func (z *zset) add(m string, score float64, f zaddFlags) (zaddResult, float64, bool) {
	score = normalizeZero(score)
	if n, ok := z.table.get(m); ok {
		if f.nx {
			return zaddNop, 0, false
		}
		if f.incr {
			score = normalizeZero(score + n.score)
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
		z.table.set(m, z.zsl.updateScore(n, score))
		return zaddUpdated, score, true
	}
	if f.xx {
		return zaddNop, 0, false
	}
	z.insert(m, score)
	return zaddAdded, score, true
}

// normalizeZero turns -0 into 0: Redis keeps a small sorted set's scores as
// text where an integral score is written as an integer, so -0 reads back as 0.
func normalizeZero(v float64) float64 {
	if v == 0 {
		return 0
	}
	return v
}

// insert adds m, which must not be a member.
func (z *zset) insert(m string, score float64) {
	z.table.add(m, z.zsl.insert(normalizeZero(score), m))
}

// remove removes m; false if it was not a member.
func (z *zset) remove(m string) bool {
	n, ok := z.table.remove(m)
	if ok {
		z.zsl.remove(n.score, m)
	}
	return ok
}

// rank is m's 0-based rank from the lowest score (from the highest if rev).
func (z *zset) rank(m string, rev bool) (int, bool) {
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
func (z *zset) byRank(r int, rev bool) *zslNode {
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
func (z *zset) scoreSpan(r scoreRange) (int, int) {
	if r.empty() {
		return 1, 0
	}
	_, first := z.zsl.firstWhere(func(n *zslNode) bool { return r.belowMin(n.score) })
	_, last := z.zsl.lastWhere(func(n *zslNode) bool { return r.withinMax(n.score) })
	return first, last
}

// lexSpan is scoreSpan for a lex range.
func (z *zset) lexSpan(r lexRange) (int, int) {
	if r.empty() {
		return 1, 0
	}
	_, first := z.zsl.firstWhere(func(n *zslNode) bool { return r.belowMin(n.member) })
	_, last := z.zsl.lastWhere(func(n *zslNode) bool { return r.withinMax(n.member) })
	return first, last
}

// rangeNodes calls fn for the members of 1-based ranks first..last (in that
// order, or last..first if rev), skipping offset of them and stopping after
// limit (limit < 0: no limit), until fn returns false.
func (z *zset) rangeNodes(first, last int, rev bool, offset, limit int, fn func(*zslNode) bool) {
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
func (z *zset) removeRanks(first, last int) int {
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

// memoryBytes estimates the value's memory: the members' bytes, a slot, a map
// entry and a node (about 1.33 levels) each.
func (z *zset) memoryBytes() int {
	return z.table.bytes + z.len()*(memberOverhead+zslNodeOverhead)
}

// memberOverhead is a member's cost in a memberTable beyond its bytes: its
// slot (string header, value, flag) and its map entry (key, index, hash
// overhead), rounded up.
const memberOverhead = 80

// zslNodeOverhead is a skiplist node's cost beyond its member's bytes.
const zslNodeOverhead = 96
