package resp

import (
	"math"
	"time"
)

// The maxmemory policies, by Redis's names and in the order of its list
// (CONFIG SET's error names them); config.policy is an index in policies.
const (
	policyVolatileLRU = iota
	policyVolatileLFU
	policyVolatileRandom
	policyVolatileTTL
	policyAllKeysLRU
	policyAllKeysLFU
	policyAllKeysRandom
	policyNoEviction // the default, as Redis's
)

var policies = []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
	"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}

// evictionSamples is Redis's maxmemory-samples default: the keys looked at
// per database to choose one to evict (CONFIG SET maxmemory-samples changes
// it; at most a database's keys are drawn, however large it is set).
const evictionSamples = 5

// room is what makeRoom found.
type room int

const (
	roomOK       room = iota // used memory is within the limit (or there is none)
	roomEvicting             // still over, its time budget spent: more next time (Redis's EVICT_RUNNING)
	roomNone                 // over, and nothing the policy may evict (Redis's EVICT_FAIL)
	// over, nothing here the policy may evict, but the node's other shards
	// have some: they are asked to evict (memory_cluster.go), and the
	// command runs meanwhile, as under roomEvicting
	roomElsewhere
)

// evictBudget is how long one makeRoom evicts before it lets the command
// run and leaves the rest for later: Redis's eviction time limit at its
// default maxmemory-eviction-tenacity (10), 500 us. Evicting is a few
// microseconds a key here, so lowering maxmemory far below the data would
// otherwise hold every client's commands for seconds.
const evictBudget = 500 * time.Microsecond

// makeRoom is Redis's performEvictions, run before each command (never
// inside one, nor between the commands of an EXEC, so no command or
// transaction sees its data change under it): while used memory is over
// -maxmemory it removes a key the policy chooses, for at most evictBudget
// (the clock read every 16 keys, as Redis does, from the 16th on: a few
// evictions cost no clock reading). Over the limit with nothing to
// evict (noeviction, or no key the policy may take) the commands that may
// add data are refused with the OOM error; while keys are being evicted
// they are not, as in Redis (the key space goes on evicting between other
// requests: evictMore). Like Redis's, the LRU, LFU and TTL choices are
// approximate: the best of maxmemory-samples keys sampled in each database,
// not the best of all.
func (st *Store) makeRoom() room {
	max := st.cfg.maxMemory.Load()
	if max <= 0 {
		return roomOK
	}
	policy := int(st.cfg.policy.Load())
	var start time.Time
	for n, used := 0, st.limited(); used > max; n++ {
		if policy == policyNoEviction {
			return roomNone
		}
		if n%16 == 0 && n > 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > st.evictBudget {
				return roomEvicting
			}
		}
		db, key := st.victim(policy)
		if db == nil {
			if st.othersEvictable(policy) {
				return roomElsewhere
			}
			return roomNone
		}
		before := db.used
		db.evict(key)
		used -= before - db.used
	}
	return roomOK
}

// evictMore is what the key space sends itself while makeRoom has keys
// left to evict: the next chunk runs after the requests already queued.
type evictMore struct{}

// IgnoreDeadLetterLogging keeps one that arrives as the key space stops
// out of the dead-letter log, as the expiry's tick.
func (*evictMore) IgnoreDeadLetterLogging() {}

// stuck says whether used memory is over maxmemory with nothing the policy
// may evict: the next command that may add data will be refused.
func (st *Store) stuck() bool {
	max := st.cfg.maxMemory.Load()
	if max <= 0 || st.usedMemory() <= max {
		return false
	}
	policy := int(st.cfg.policy.Load())
	if policy == policyNoEviction {
		return true
	}
	for _, db := range st.dbs {
		if volatile := policy <= policyVolatileTTL; volatile && len(db.expires.M) > 0 || !volatile && db.Len() > 0 {
			return false
		}
	}
	return true
}

// evict removes key to free memory: watchers see it change, as Redis's
// eviction signals the key modified.
func (db *DB) evict(key string) {
	db.remove(key)
	db.st.watches.touch(db.Index, []byte(key))
	db.st.stats.EvictedKeys++
	if db.st.node != nil {
		db.st.node.evicted.Add(1)
	}
}

// victim is the key the policy evicts next, and its database; nil if the
// policy has none (no keys, or none with a time to live for volatile-*).
func (st *Store) victim(policy int) (*DB, string) {
	switch policy {
	case policyAllKeysRandom, policyVolatileRandom:
		// Redis's next_db: each eviction looks in the database after the
		// last one's, so every database gives its share.
		for i := range numDBs {
			db := st.dbs[(st.nextDB+i)%numDBs]
			if key, ok := db.randomCandidate(policy == policyVolatileRandom); ok {
				st.nextDB = (db.Index + 1) % numDBs
				return db, key
			}
		}
		return nil, ""
	}
	var best *DB
	var bestKey string
	bestScore := int64(math.MaxInt64)
	for _, db := range st.dbs {
		if key, score, ok := db.sample(policy); ok && (best == nil || score < bestScore) {
			best, bestKey, bestScore = db, key, score
		}
	}
	return best, bestKey
}

// randomCandidate is a random key (of those with a time to live if
// volatile), and whether there is one.
func (db *DB) randomCandidate(volatile bool) (string, bool) {
	if volatile {
		for key := range db.expires.M { // Go's map iteration starts at a random place
			return key, true
		}
		return "", false
	}
	if db.keys.len() == 0 {
		return "", false
	}
	key, _ := db.keys.random()
	return key, true
}

// sample is the best of evictionSamples keys for an LRU, LFU or TTL policy
// and its score, lower evicted first: the time it was last used (LRU), its
// access counter (LFU, lfu.go), its expiry time (TTL). Sampling reads an
// entry's time of use and counter without changing them, so OBJECT
// IDLETIME and FREQ stay what the clients made them.
func (db *DB) sample(policy int) (string, int64, bool) {
	var best string
	var bestScore int64
	found := false
	consider := func(key string, score int64) {
		if !found || score < bestScore {
			best, bestScore, found = key, score, true
		}
	}
	score := func(e *entry) int64 {
		if policy == policyAllKeysLFU || policy == policyVolatileLFU {
			return int64(e.lfuCount(db.st.now))
		}
		return e.used
	}
	samples := int(db.st.cfg.samples.Load())
	switch policy {
	case policyAllKeysLRU, policyAllKeysLFU:
		for i := 0; i < samples && i < db.keys.len(); i++ {
			key, e := db.keys.random()
			consider(key, score(e))
		}
	default: // volatile-lru, volatile-lfu, volatile-ttl
		n := 0
		for key, at := range db.expires.M {
			if n++; n > samples {
				break
			}
			if policy == policyVolatileTTL {
				consider(key, at)
			} else if e := db.entry([]byte(key)); e != nil {
				consider(key, score(e))
			}
		}
	}
	return best, bestScore, found
}

// denyOOM says whether a command of b may add data (EXEC's transaction is
// refused as a whole over maxmemory if one may, as Redis's).
func (b *batch) denyOOM() bool {
	for _, c := range b.Cmds {
		if flat[c.Index].Flags&DenyOOM != 0 {
			return true
		}
	}
	return false
}
