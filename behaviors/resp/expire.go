package resp

import "time"

// The active half of expiry, as Redis's activeExpireCycle (slow cycle): every
// expireEvery, each database's keys with a time to live are sampled,
// expireSample at a time, the expired ones removed, and the sampling goes on
// while more than a quarter of a sample had expired, within expireBudget. So
// keys nobody reads again still go, and the memory they held with them.
const (
	expireEvery  = 100 * time.Millisecond // Redis's hz 10
	expireSample = 20                     // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
	expireBudget = 25 * time.Millisecond  // a quarter of the period, as Redis's 25% CPU
)

// activeExpire runs one cycle.
func (k *keySpace) activeExpire() {
	start := time.Now()
	k.st.now = start.UnixMilli()
	for _, db := range k.st.dbs {
		for len(db.expires.M) > 0 {
			if db.expireSample() <= expireSample/4 || time.Since(start) > expireBudget {
				break
			}
		}
	}
}

// expireSample removes the expired keys among up to expireSample keys with a
// time to live (Go's map iteration starts at a random place: a random
// sample) and returns how many it removed.
func (db *DB) expireSample() int {
	seen, gone := 0, 0
	now := db.st.now
	var due [expireSample]string
	for key, at := range db.expires.M {
		if seen++; seen > expireSample {
			break
		}
		if at <= now {
			due[gone] = key
			gone++
		}
	}
	// Removed after the walk: a removal may make expires anew (it shrinks).
	for _, key := range due[:gone] {
		db.remove(key)
		db.Changed([]byte(key))
		db.st.stats.ExpiredKeys++
	}
	return gone
}
