package resp

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// SPOP and SRANDMEMBER, and the set algebra (SINTER, SUNION, SDIFF, their
// STORE forms, SINTERCARD).

// randomOne is the front SPOP and SRANDMEMBER share: key count goes to
// withCount; key alone looks the set up, replying the error or the null for
// a missing key itself, and returns the set to take one member from.
func randomOne(c *Call, withCount func(*Call)) (*Set, bool) {
	switch {
	case len(c.Args) == 3:
		withCount(c)
		return nil, false
	case len(c.Args) > 3:
		c.W.Error(ErrSyntax)
		return nil, false
	}
	s, ok := Lookup[*Set](c, c.Args[1])
	if ok && s == nil {
		c.W.Null()
	}
	return s, ok && s != nil
}

func cmdSpop(c *Call) {
	s, ok := randomOne(c, spopCount)
	if !ok {
		return
	}
	m := s.Random()
	s.Remove(m)
	setWritten(c, c.Args[1], s, true)
	c.W.BulkString(m)
}

func spopCount(c *Call) {
	count, ok := c.count(2)
	if !ok {
		return
	}
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Set(0)
		return
	}
	if count >= int64(s.Len()) {
		writeSet(c.W, s)
		c.DB.Delete(c.Args[1])
		return
	}
	c.W.Set(int(count))
	for i := int64(0); i < count; i++ {
		m := s.Random()
		s.Remove(m)
		c.W.BulkString(m)
	}
	c.DB.Changed(c.Args[1])
}

// parseRandomCount reads SRANDMEMBER's and ZRANDMEMBER's count, in
// -(2^63-1)..2^63-1 as Redis takes it. A negative count's reply is bounded
// by maxRandomReply (randomRepeats), as HRANDFIELD's is: Redis is not, and
// "SRANDMEMBER key -9223372036854775807" took redis-server to 17 GB in a few
// seconds here.
func parseRandomCount(c *Call, i int) (int64, bool) {
	n, ok := c.Int(i)
	if !ok {
		return 0, false
	}
	if n == math.MinInt64 {
		c.W.Error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return 0, false
	}
	return n, true
}

// randomRepeats writes n draws of write (a header of items entries first),
// or, once the reply passes maxRandomReply, drops it and writes an error
// naming the command.
func randomRepeats(c *Call, n int64, items func(n int64) int64, write func()) {
	start := c.W.Len()
	c.W.Array(int(items(n)))
	for range n {
		write()
		if c.W.Len()-start > maxRandomReply {
			c.W.buf = c.W.buf[:start]
			c.W.Error("ERR " + strings.ToUpper(c.Name()) + " reply would pass 16 MiB: ask for fewer members")
			return
		}
	}
}

func cmdSrandmember(c *Call) {
	if s, ok := randomOne(c, srandmemberCount); ok {
		c.W.BulkString(s.Random())
	}
}

func srandmemberCount(c *Call) {
	count, ok := parseRandomCount(c, 2)
	if !ok {
		return
	}
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.W.Array(0)
		return
	}
	if count < 0 { // repeats allowed
		randomRepeats(c, -count, func(n int64) int64 { return n }, func() { c.W.BulkString(s.Random()) })
		return
	}
	if count >= int64(s.Len()) {
		c.W.Array(s.Len())
		s.Each(func(m string) bool { c.W.BulkString(m); return true })
		return
	}
	picked := sampleDistinct(s.Len(), int(count), s.Random, s.Members)
	c.W.Array(len(picked))
	for _, m := range picked {
		c.W.BulkString(m)
	}
}

// sampleDistinct picks count distinct members out of n (count < n): by
// random draws while count is small against n, else by shuffling them all.
func sampleDistinct(n, count int, random func() string, all func() []string) []string {
	if count*3 > n {
		members := all()
		rand.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		return members[:count]
	}
	seen := make(map[string]struct{}, count)
	out := make([]string, 0, count)
	for len(out) < count {
		m := random()
		if _, dup := seen[m]; !dup {
			seen[m] = struct{}{}
			out = append(out, m)
		}
	}
	return out
}

// setsAt looks up keys as sets, in order (nil for a missing key); false once
// one is of another type, with WRONGTYPE written.
func setsAt(c *Call, keys [][]byte) ([]*Set, bool) {
	sets := make([]*Set, len(keys))
	for i, k := range keys {
		s, ok := Lookup[*Set](c, k)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// interSets is the intersection of sets, up to limit members (0: all): the
// smallest set's members found in every other, in the smallest's order.
func interSets(sets []*Set, limit int) *Set {
	out := newSet()
	if slices.Contains(sets, nil) {
		return out
	}
	sorted := slices.Clone(sets)
	slices.SortStableFunc(sorted, func(a, b *Set) int { return a.Len() - b.Len() })
	sorted[0].Each(func(m string) bool {
		for _, o := range sorted[1:] {
			if !o.Has(m) {
				return true
			}
		}
		out.Add(m)
		return limit == 0 || out.Len() < limit
	})
	return out
}

// unionSets is every member of sets.
func unionSets(sets []*Set) *Set {
	out := newSet()
	for _, s := range sets {
		if s != nil {
			s.Each(func(m string) bool { out.Add(m); return true })
		}
	}
	return out
}

// diffSets is the first set's members that are in none of the others.
func diffSets(sets []*Set) *Set {
	out := newSet()
	if sets[0] == nil {
		return out
	}
	sets[0].Each(func(m string) bool {
		for _, o := range sets[1:] {
			if o != nil && o.Has(m) {
				return true
			}
		}
		out.Add(m)
		return true
	})
	return out
}

// setAlgebra runs SINTER, SUNION or SDIFF (op) over the keys from argument
// first on, and replies with the result, or stores it at Args[1] (store).
func setAlgebra(c *Call, first int, store bool, op func([]*Set) *Set) {
	sets, ok := setsAt(c, c.Args[first:])
	if !ok {
		return
	}
	res := op(sets)
	if !store {
		writeSet(c.W, res)
		return
	}
	if res.Len() == 0 {
		c.DB.Delete(c.Args[1])
	} else {
		c.DB.Set(c.Args[1], res, false)
	}
	c.W.Int(int64(res.Len()))
}

func interAll(sets []*Set) *Set { return interSets(sets, 0) }

func cmdSinter(c *Call)      { setAlgebra(c, 1, false, interAll) }
func cmdSinterstore(c *Call) { setAlgebra(c, 2, true, interAll) }
func cmdSunion(c *Call)      { setAlgebra(c, 1, false, unionSets) }
func cmdSunionstore(c *Call) { setAlgebra(c, 2, true, unionSets) }
func cmdSdiff(c *Call)       { setAlgebra(c, 1, false, diffSets) }
func cmdSdiffstore(c *Call)  { setAlgebra(c, 2, true, diffSets) }

func cmdSintercard(c *Call) {
	numkeys, ok := parseInt(c.Args[1])
	if !ok || numkeys < 1 {
		c.W.Error("ERR numkeys should be greater than 0")
		return
	}
	if numkeys > int64(len(c.Args)-2) {
		c.W.Error("ERR Number of keys can't be greater than number of args")
		return
	}
	limit := int64(0)
	for j := 2 + int(numkeys); j < len(c.Args); j++ {
		if !equalFold(string(c.Args[j]), "limit") || j+1 >= len(c.Args) {
			c.W.Error(ErrSyntax)
			return
		}
		j++
		if limit, ok = parseInt(c.Args[j]); !ok || limit < 0 {
			c.W.Error("ERR LIMIT can't be negative")
			return
		}
	}
	sets, ok := setsAt(c, c.Args[2:2+numkeys])
	if !ok {
		return
	}
	c.W.Int(int64(interSets(sets, int(min(limit, 1<<40))).Len()))
}
