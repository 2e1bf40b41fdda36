package resp

import (
	"strconv"
	"testing"
)

// TestEvictionSamplingKeepsIdleTime ensures choosing a key to evict reads
// the keys' times of use and LFU counters without changing them (OBJECT
// IDLETIME and FREQ report what the clients did, not what the sampling
// looked at), and that the choice is the best of those sampled: with 5
// keys in a database the volatile policies' sample (Go's map iteration) is
// all 5, and allkeys-lru's (5 random draws) chooses each key as often as it
// is the oldest drawn.
func TestEvictionSamplingKeepsIdleTime(t *testing.T) {
	cfg, err := newConfig(Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore(cfg)
	db := st.dbs[2]
	for i := range 5 {
		st.now = int64(1000 + i)
		db.Set([]byte("k"+strconv.Itoa(i)), &Str{B: []byte("v")}, false)
		db.Expire([]byte("k"+strconv.Itoa(i)), int64(10_000-i))
	}
	st.settle()
	chosen := map[string]int{}
	for range 1000 {
		for _, policy := range []int{policyAllKeysLRU, policyVolatileLRU, policyVolatileTTL, policyAllKeysLFU, policyVolatileLFU} {
			got, key := st.victim(policy)
			if got != db {
				t.Fatalf("victim(%s) in db %v; want db 2, the only one with keys", policies[policy], got)
			}
			chosen[policies[policy]+" "+key]++
		}
	}
	for i := range 5 {
		if e := db.entry([]byte("k" + strconv.Itoa(i))); e.used != int64(1000+i) || e.freq != lfuInitVal {
			t.Fatalf("k%d's time of use is %d and LFU counter %d after sampling; want %d and %d", i, e.used, e.freq, 1000+i, lfuInitVal)
		}
	}
	// Go's map iteration over 5 keys sees all 5: the volatile choices are exact.
	if chosen["volatile-lru k0"] != 1000 || chosen["volatile-ttl k4"] != 1000 {
		t.Fatalf("choices %v; want volatile-lru k0 and volatile-ttl k4 every time", chosen)
	}
	// allkeys-lru chooses k0 when one of its 5 draws is k0: 1-(4/5)^5, 67%;
	// k1 when k1 is drawn and k0 is not, 26%; and so on down to k4, 0.03%.
	if a := chosen["allkeys-lru k0"]; a < 550 || a > 800 || chosen["allkeys-lru k1"] < 150 || chosen["allkeys-lru k4"] > 10 {
		t.Fatalf("allkeys-lru chose %v; want k0 (used first) about 670 times of 1000, k1 about 260, k4 (used last) about 0", chosen)
	}
}
