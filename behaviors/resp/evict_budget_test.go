package resp

import (
	"strconv"
	"testing"
	"time"
)

// TestEvictionBudget ensures one makeRoom evicts for its time budget, not
// until the data fits, and that repeated calls finish the job: with the
// budget 0, each call evicts 32 keys (the clock is first read at the 16th,
// compared at the 32nd) and says roomEvicting while keys are left, then
// roomOK once none is over the limit. With the real budget (500 us) it logs
// how long each call took (not checked: the machine may be loaded).
func TestEvictionBudget(t *testing.T) {
	fill := func() *Store {
		cfg, _ := newConfig(Options{MaxMemoryPolicy: "allkeys-random"})
		st := NewStore(cfg)
		for i := range 20_000 {
			st.dbs[i%4].Set([]byte("key:"+strconv.Itoa(i)), &Str{B: []byte("value")}, false)
		}
		st.settle()
		cfg.maxMemory.Store(1)
		return st
	}
	st := fill()
	st.evictBudget = 0
	for calls := 1; ; calls++ {
		r := st.makeRoom()
		want := min(int64(32*calls), 20_000)
		if st.stats.EvictedKeys != want {
			t.Fatalf("after makeRoom call %d: %d keys evicted; want %d", calls, st.stats.EvictedKeys, want)
		}
		if want == 20_000 {
			if r != roomOK || st.usedMemory() != 0 {
				t.Fatalf("makeRoom = %d, used %d with every key evicted; want roomOK, 0", r, st.usedMemory())
			}
			break
		}
		if r != roomEvicting {
			t.Fatalf("makeRoom call %d = %d with keys left; want roomEvicting", calls, r)
		}
	}

	st = fill()
	var longest time.Duration
	calls := 0
	for r := roomEvicting; r == roomEvicting; calls++ {
		start := time.Now()
		r = st.makeRoom()
		longest = max(longest, time.Since(start))
	}
	t.Logf("with the %v budget: 20000 keys evicted in %d calls, the longest %v", evictBudget, calls, longest)
}
