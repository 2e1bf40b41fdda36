package resp

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkSort times SORT on a list of 1 000 000 random integers (the case
// a probe found 7x slower than redis-server), full and with LIMIT, by the
// elements, ALPHA and BY a weight key per element, called as the key space
// calls it (no connection: the reply is built and dropped).
func BenchmarkSort(b *testing.B) {
	cfg, _ := newConfig(Options{})
	st := NewStore(cfg)
	db := st.dbs[0]
	r := rand.New(rand.NewPCG(1, 2))
	l := &List{}
	for i := range 1_000_000 {
		l.PushBack([]byte(strconv.Itoa(r.IntN(1_000_000_000))))
		if i < 100_000 { // BY: weights for a 100 000-element list
			w := []byte(strconv.Itoa(r.IntN(1000)))
			db.Set([]byte("w_"+string(l.At(i))), &Str{B: w}, false)
		}
	}
	db.Set([]byte("biglist"), l, false)
	small := &List{}
	for i := range 100_000 {
		small.PushBack(l.At(i))
	}
	db.Set([]byte("list100k"), small, false)
	st.settle()
	for _, cmd := range []string{
		"SORT biglist",
		"SORT biglist LIMIT 0 1",
		"SORT biglist LIMIT 0 10 ALPHA",
		"SORT biglist LIMIT 500000 10 DESC",
		"SORT list100k BY w_* LIMIT 0 1",
		"SORT list100k BY w_*",
	} {
		b.Run(strings.ReplaceAll(cmd, " ", "_"), func(b *testing.B) {
			args := [][]byte{}
			for _, a := range strings.Fields(cmd) {
				args = append(args, []byte(a))
			}
			w := &Writer{}
			for range b.N {
				w.Reset()
				sortGeneric(&Call{Args: args, W: w, DB: db, Store: st}, false)
				if w.Len() == 0 || w.Bytes()[0] != '*' {
					b.Fatalf("%s: %q", cmd, w.Bytes()[:min(w.Len(), 80)])
				}
			}
		})
	}
}
