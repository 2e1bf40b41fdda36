package resp

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestSortWindowIsStableSort checks sortWindow against a stable sort by
// Redis's sortCompare (what SORT did before it sorted partially), on
// random data full of ties: equal scores, equal elements, equal and missing
// ALPHA BY weights, which only the load order tells apart. Every window of
// the result must hold the same items, in the same order, as the stable
// sort's.
func TestSortWindowIsStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	specs := []sortSpec{{}, {desc: true}, {alpha: true}, {alpha: true, desc: true},
		{alpha: true, by: []byte("w_*")}, {alpha: true, by: []byte("w_*"), desc: true}}
	for round := range 400 {
		o := specs[round%len(specs)]
		n := r.IntN(300)
		items := randomSortItems(r, n)
		want := slices.Clone(items)
		slices.SortStableFunc(want, func(a, b sortItem) int { return sortCompare(&o, &a, &b) })
		lo, hi := r.IntN(n+1), r.IntN(n+1)
		if round%4 == 0 {
			lo = 0 // the common LIMIT 0 count
		}
		lo, hi = min(lo, hi), max(lo, hi)
		got := slices.Clone(items)
		sortWindow(got, lo, hi, sortOrder(&o))
		for i := lo; i < hi; i++ {
			if got[i].pos != want[i].pos {
				t.Fatalf("spec %+v, n %d, window [%d, %d): at %d item %d (%q), want item %d (%q)",
					o, n, lo, hi, i, got[i].pos, got[i].obj, want[i].pos, want[i].obj)
			}
		}
	}
}

// randomSortItems are n items with few distinct scores, elements and
// weights, so that most comparisons meet a tie.
func randomSortItems(r *rand.Rand, n int) []sortItem {
	items := make([]sortItem, n)
	for i := range items {
		items[i] = sortItem{obj: []byte(strconv.Itoa(r.IntN(8))), score: float64(r.IntN(5)), pos: i}
		if r.IntN(6) == 0 {
			items[i].score = math.Inf(r.IntN(2)*2 - 1)
		}
		if r.IntN(4) > 0 { // else no weight: nil
			items[i].cmp = []byte{'a' + byte(r.IntN(3))}
		}
	}
	return items
}

// TestSmallIntIsStrtod checks SORT's fast path for plain integers against
// strtod's general parser, bit for bit (-0 included), and that it leaves
// what it does not read exactly to the general parser.
func TestSmallIntIsStrtod(t *testing.T) {
	in := []string{"0", "-0", "007", "-007", "123456789012345", "-999999999999999"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		in = append(in, strconv.FormatInt(r.Int64N(1e15)-5e14, 10))
	}
	for _, s := range in {
		got, ok := smallInt([]byte(s))
		want, n, erange := cStrtod(s)
		if !ok || n != len(s) || erange || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("smallInt(%q) = %v, %v; strtod reads %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-", "+1", " 1", "1 ", "1e3", "0x10", "1.5", "1234567890123456", "--1", "1-"} {
		if v, ok := smallInt([]byte(s)); ok {
			t.Errorf("smallInt(%q) = %v; want it left to strtod", s, v)
		}
	}
}
