package resp

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// zsetModel is the obvious sorted set: a map, sorted on every question.
type zsetModel map[string]float64

func (m zsetModel) sorted() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case zslLess(m[a], a, m[b], b):
			return -1
		case zslLess(m[b], b, m[a], a):
			return 1
		}
		return 0
	})
	return out
}

// checkZset compares z with the model: order, ranks both ways, byRank,
// scores, and the skiplist's spans and backward links.
func checkZset(t *testing.T, z *ZSet, m zsetModel) {
	t.Helper()
	want := m.sorted()
	if z.len() != len(want) || z.zsl.length != len(want) {
		t.Fatalf("len = %d/%d; want %d", z.len(), z.zsl.length, len(want))
	}
	var prev *zslNode
	i := 0
	for x := z.zsl.header.level[0].forward; x != nil; x = x.level[0].forward {
		if x.member != want[i] || x.score != m[want[i]] {
			t.Fatalf("node %d = (%v, %q); want (%v, %q)", i, x.score, x.member, m[want[i]], want[i])
		}
		if x.backward != prev {
			t.Fatalf("node %d: backward link wrong", i)
		}
		prev = x
		i++
	}
	if z.zsl.tail != prev {
		t.Fatal("tail wrong")
	}
	for r, mem := range want {
		if got, ok := z.rank(mem, false); !ok || got != r {
			t.Fatalf("rank(%q) = %d, %v; want %d", mem, got, ok, r)
		}
		if got, _ := z.rank(mem, true); got != len(want)-1-r {
			t.Fatalf("revrank(%q) = %d; want %d", mem, got, len(want)-1-r)
		}
		if n := z.byRank(r, false); n == nil || n.member != mem {
			t.Fatalf("byRank(%d) wrong", r)
		}
	}
}

// TestZsetAgainstModel runs random adds, increments and removals and checks
// every structure invariant against the model after each step.
func TestZsetAgainstModel(t *testing.T) {
	z, m := newZset(), zsetModel{}
	for step := 0; step < 3000; step++ {
		mem := "m" + strconv.Itoa(rand.IntN(60))
		score := float64(rand.IntN(20))
		switch op := rand.IntN(10); {
		case op < 5:
			res, got, _ := z.add([]byte(mem), score, zaddFlags{})
			_, had := m[mem]
			m[mem] = score
			if had != (res != zaddAdded) || got != score && res != zaddNop {
				t.Fatalf("add(%q, %v) = %v, %v", mem, score, res, got)
			}
		case op < 7:
			m[mem] += score
			if _, got, _ := z.add([]byte(mem), score, zaddFlags{incr: true}); got != m[mem] {
				t.Fatalf("incr(%q) = %v; want %v", mem, got, m[mem])
			}
		default:
			_, had := m[mem]
			delete(m, mem)
			if z.remove(mem) != had {
				t.Fatalf("remove(%q) != %v", mem, had)
			}
		}
		if step%50 == 0 {
			checkZset(t, z, m)
		}
	}
	checkZset(t, z, m)
}

// TestZaddFlags states ZADD's option rules (zsetAdd in t_zset.c).
func TestZaddFlags(t *testing.T) {
	cases := []struct {
		name  string
		f     zaddFlags
		score float64
		res   zaddResult
		after float64
	}{
		{"plain update", zaddFlags{}, 5, zaddUpdated, 5},
		{"same score", zaddFlags{}, 2, zaddNop, 2},
		{"nx existing", zaddFlags{nx: true}, 5, zaddNop, 2},
		{"gt lower", zaddFlags{gt: true}, 1, zaddNop, 2},
		{"gt higher", zaddFlags{gt: true}, 3, zaddUpdated, 3},
		{"lt higher", zaddFlags{lt: true}, 3, zaddNop, 2},
		{"lt lower", zaddFlags{lt: true}, 1, zaddUpdated, 1},
		{"incr", zaddFlags{incr: true}, 1.5, zaddUpdated, 3.5},
		{"incr gt negative", zaddFlags{incr: true, gt: true}, -1, zaddNop, 2},
	}
	for _, c := range cases {
		z := newZset()
		z.add([]byte("a"), 2, zaddFlags{})
		if res, _, _ := z.add([]byte("a"), c.score, c.f); res != c.res {
			t.Errorf("%s: result %v; want %v", c.name, res, c.res)
		}
		if got, _ := z.score("a"); got != c.after {
			t.Errorf("%s: score %v; want %v", c.name, got, c.after)
		}
	}
	z := newZset()
	if res, _, _ := z.add([]byte("a"), 1, zaddFlags{xx: true}); res != zaddNop || z.len() != 0 {
		t.Errorf("xx on a missing member added it")
	}
	z.add([]byte("a"), inf, zaddFlags{})
	if res, _, _ := z.add([]byte("a"), -inf, zaddFlags{incr: true}); res != zaddNaN {
		t.Errorf("inf + -inf = %v; want zaddNaN", res)
	}
}

var inf = func() float64 { v, _, _ := cStrtod("inf"); return v }()

// TestZsetRanges checks score and lex spans and rangeNodes against the model.
func TestZsetRanges(t *testing.T) {
	z, m := newZset(), zsetModel{}
	for i := 0; i < 200; i++ {
		mem := string(rune('a'+rand.IntN(26))) + strconv.Itoa(rand.IntN(10))
		score := float64(rand.IntN(30))
		z.add([]byte(mem), score, zaddFlags{})
		m[mem] = score
	}
	sorted := m.sorted()
	lz := newZset() // a lex range needs one score for all
	for mem := range m {
		lz.add([]byte(mem), 0, zaddFlags{})
	}
	for i := 0; i < 300; i++ {
		r := scoreRange{min: float64(rand.IntN(34) - 2), max: float64(rand.IntN(34) - 2), minex: rand.IntN(2) == 0, maxex: rand.IntN(2) == 0}
		var want []string
		for _, mem := range sorted {
			if !r.belowMin(m[mem]) && r.withinMax(m[mem]) && !r.empty() {
				want = append(want, mem)
			}
		}
		first, last := z.scoreSpan(r)
		offset, limit := rand.IntN(5), rand.IntN(8)-1
		var got []string
		z.rangeNodes(first, last, false, offset, limit, func(n *zslNode) bool { got = append(got, n.member); return true })
		want = window(want, offset, limit)
		if !slices.Equal(got, want) {
			t.Fatalf("range %+v offset %d limit %d = %v; want %v", r, offset, limit, got, want)
		}
		var rev []string
		z.rangeNodes(first, last, true, 0, -1, func(n *zslNode) bool { rev = append(rev, n.member); return true })
		if last-first+1 != max(len(rev), 0) {
			t.Fatalf("reverse range %+v has %d; span %d..%d", r, len(rev), first, last)
		}
	}
	for i := 0; i < 300; i++ {
		a, b := lexBoundRand(), lexBoundRand()
		r := lexRange{a, b}
		var want []string
		for _, mem := range slices.Sorted(maps.Keys(m)) {
			if !r.belowMin(mem) && r.withinMax(mem) && !r.empty() {
				want = append(want, mem)
			}
		}
		if n := lz.lexCount(r); n != len(want) {
			t.Fatalf("lex range %+v: %d members; want %d", r, n, len(want))
		}
		var walked []string
		lz.lexWalk(r, true, 0, -1, func(n *zslNode) bool { walked = append(walked, n.member); return true })
		if slices.Reverse(walked); !slices.Equal(walked, want) {
			t.Fatalf("lex range %+v reversed = %v; want %v", r, walked, want)
		}
	}
}

func window(s []string, offset, limit int) []string {
	if offset >= len(s) {
		return nil
	}
	s = s[offset:]
	if limit >= 0 && limit < len(s) {
		s = s[:limit]
	}
	return s
}

func lexBoundRand() lexBound {
	switch rand.IntN(6) {
	case 0:
		return lexBound{inf: -1, ex: true}
	case 1:
		return lexBound{inf: 1, ex: true}
	}
	return lexBound{s: string(rune('a' + rand.IntN(27))), ex: rand.IntN(2) == 0}
}

// TestMemberTableScan ensures a scan returns every member present throughout
// exactly once, while others are added and removed between calls
// (compactions included).
func TestMemberTableScan(t *testing.T) {
	tab := newMemberTable[struct{}]()
	for i := 0; i < 1000; i++ {
		tab.add("keep"+strconv.Itoa(i), struct{}{})
	}
	seen := map[string]bool{}
	cursor, calls := uint64(0), 0
	for {
		cursor = tab.scan(cursor, 10, func(m string, _ struct{}) {
			if seen[m] {
				t.Fatalf("%s returned twice", m)
			}
			seen[m] = true
		})
		for j := 0; j < 30; j++ { // churn: enough to compact now and then
			tab.add("tmp"+strconv.Itoa(calls*30+j), struct{}{})
		}
		for j := 0; j < 30; j++ {
			tab.remove("tmp" + strconv.Itoa(calls*30+j))
		}
		calls++
		if cursor == 0 || calls > 10000 {
			break
		}
	}
	for i := 0; i < 1000; i++ {
		if !seen["keep"+strconv.Itoa(i)] {
			t.Fatalf("keep%d never returned (%d calls)", i, calls)
		}
	}
	if cursor != 0 {
		t.Fatal("scan did not end")
	}
}
