package resp

import (
	"math/rand/v2"
)

// skiplist is a sorted set's order: its members ordered by score, then by
// member bytes, as Redis's zskiplist (t_zset.c) orders them. Each level's link
// records its span (how many nodes it jumps), so a member's rank, the node at a
// rank, and the bounds of a score or lex range are found in O(log n), and a
// range of k members is walked in O(log n + k): nothing is sorted per query.
//
// Ranks here are 1-based, as Redis's zslGetRank; commands convert.
type skiplist struct {
	header *zslNode // a sentinel with zslMaxLevel levels; holds no member
	tail   *zslNode
	length int
	level  int // levels in use, at least 1
}

type zslNode struct {
	member   string
	score    float64
	backward *zslNode // the previous node; nil for the first
	level    []zslLevel
}

type zslLevel struct {
	forward *zslNode
	span    int
}

// zslMaxLevel and the 1/4 promotion chance are Redis's: enough for 2^64
// members, with about 1.33 links per node.
const zslMaxLevel = 32

func newSkiplist() *skiplist {
	return &skiplist{header: &zslNode{level: make([]zslLevel, zslMaxLevel)}, level: 1}
}

func zslRandomLevel() int {
	level := 1
	for r := rand.Uint64(); r&3 == 0 && level < zslMaxLevel; r >>= 2 {
		level++
	}
	return level
}

// zslLess orders (score, member) pairs.
func zslLess(aScore float64, aMember string, bScore float64, bMember string) bool {
	return aScore < bScore || (aScore == bScore && aMember < bMember)
}

// insert adds member, which must not be in the list.
func (z *skiplist) insert(score float64, member string) *zslNode {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		if i < z.level-1 {
			rank[i] = rank[i+1]
		}
		for f := x.level[i].forward; f != nil && zslLess(f.score, f.member, score, member); f = x.level[i].forward {
			rank[i] += x.level[i].span
			x = f
		}
		update[i] = x
	}
	level := zslRandomLevel()
	if level > z.level {
		for i := z.level; i < level; i++ {
			rank[i] = 0
			update[i] = z.header
			update[i].level[i].span = z.length
		}
		z.level = level
	}
	x = &zslNode{member: member, score: score, level: make([]zslLevel, level)}
	for i := 0; i < level; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := level; i < z.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != z.header {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		z.tail = x
	}
	z.length++
	return x
}

// unlink takes x out, given the last node before it on every level.
func (z *skiplist) unlink(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < z.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		z.tail = x.backward
	}
	for z.level > 1 && z.header.level[z.level-1].forward == nil {
		z.level--
	}
	z.length--
}

// remove deletes the node of (score, member); it reports whether there was one.
func (z *skiplist) remove(score float64, member string) bool {
	var update [zslMaxLevel]*zslNode
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && zslLess(f.score, f.member, score, member); f = x.level[i].forward {
			x = f
		}
		update[i] = x
	}
	x = x.level[0].forward
	if x == nil || x.score != score || x.member != member {
		return false
	}
	z.unlink(x, &update)
	return true
}

// updateScore moves node x to newScore and returns the node that now holds
// the member: x itself when its place does not change (as Redis's
// zslUpdateScore), else a new one.
func (z *skiplist) updateScore(x *zslNode, newScore float64) *zslNode {
	prevOK := x.backward == nil || x.backward.score < newScore ||
		(x.backward.score == newScore && x.backward.member < x.member)
	next := x.level[0].forward
	nextOK := next == nil || next.score > newScore || (next.score == newScore && next.member > x.member)
	if prevOK && nextOK {
		x.score = newScore
		return x
	}
	z.remove(x.score, x.member)
	return z.insert(newScore, x.member)
}

// rank is the 1-based rank of (score, member), 0 if it is not in the list.
func (z *skiplist) rank(score float64, member string) int {
	r := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && !zslLess(score, member, f.score, f.member); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
		if x != z.header && x.member == member && x.score == score {
			return r
		}
	}
	return 0
}

// byRank is the node at 1-based rank, nil outside 1..length.
func (z *skiplist) byRank(rank int) *zslNode {
	if rank < 1 || rank > z.length {
		return nil
	}
	traversed := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= rank {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == rank {
			return x
		}
	}
	return nil
}

// firstWhere is the first node for which past(node) is false, given that past
// holds for a prefix of the list (a lower bound): nil if past holds for all.
// Its rank comes with it.
func (z *skiplist) firstWhere(past func(*zslNode) bool) (*zslNode, int) {
	x, r := z.lastOfPrefix(past)
	return x.level[0].forward, r + 1
}

// lastWhere is the last node for which within(node) holds, given that it holds
// for a prefix of the list (an upper bound): nil if it holds for none.
func (z *skiplist) lastWhere(within func(*zslNode) bool) (*zslNode, int) {
	x, r := z.lastOfPrefix(within)
	if x == z.header {
		return nil, 0
	}
	return x, r
}

// lastOfPrefix is the last node of the prefix of the list for which holds
// holds, with its rank: the header (rank 0) if the prefix is empty.
func (z *skiplist) lastOfPrefix(holds func(*zslNode) bool) (*zslNode, int) {
	r := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && holds(f); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
	}
	return x, r
}
