package resp

import (
	"strconv"
	"testing"
)

// BenchmarkAccounting measures what the memory accounting adds to a write
// (a key noted by DB.Changed, counted again after the command: the
// difference between lookup+note+settle and lookup), and what
// the check before a command costs with -maxmemory set and nothing to
// evict, on a database of 100 000 keys.
func BenchmarkAccounting(b *testing.B) {
	cfg, _ := newConfig(Options{})
	st := NewStore(cfg)
	db := st.dbs[0]
	keys := make([][]byte, 100_000)
	for i := range keys {
		keys[i] = []byte("key:" + strconv.Itoa(i))
		db.Set(keys[i], &Str{B: []byte("value")}, false)
	}
	st.settle()
	// A write looks its key up first (Lookup): the note's own lookup then
	// finds it in the cache, as here.
	b.Run("lookup+note+settle", func(b *testing.B) {
		for i := range b.N {
			if db.entry(keys[i%len(keys)]) == nil {
				b.Fatal("no key")
			}
			db.note(keys[i%len(keys)])
			st.settle()
		}
	})
	b.Run("lookup", func(b *testing.B) { // without the accounting
		for i := range b.N {
			if db.entry(keys[i%len(keys)]) == nil {
				b.Fatal("no key")
			}
		}
	})
	b.Run("makeRoom", func(b *testing.B) {
		cfg.maxMemory.Store(1 << 40)
		defer cfg.maxMemory.Store(0)
		for range b.N {
			if st.makeRoom() != roomOK {
				b.Fatal("over")
			}
		}
	})
}
