package resp

import (
	"time"

	"async_server/internal/shrink"
)

// numDBs is Redis's default number of databases (SELECT 0..15).
const numDBs = 16

// Store is the data: the 16 databases, and the key space's bookkeeping that
// must outlive a failed key-space instance (the clients it knows, the
// requests parked on keys, the keys being watched). It is made by the
// behavior's constructor and captured by the key space's New, so a restarted
// instance finds it as the failed one left it, as an Erlang ETS table given
// an heir outlives its owner. Only the key space's actor touches it: no lock.
type Store struct {
	dbs         [numDBs]*DB
	clients     shrink.Map[string, *client] // by connection PID id: every connection that sent a request
	blocks      blocks                      // requests parked on keys (block.go)
	watches     watches                     // WATCH (watches.go)
	dirty       int64                       // changes (INFO rdb_changes_since_last_save)
	stats       Stats
	cfg         *config
	touched     []touched     // entries changed by the running command (memory.go)
	nextDB      int           // the database allkeys-random evicts from next (evict.go)
	evictBudget time.Duration // evict.go's evictBudget; tests change it

	// node is, in a shard grain, its node's sums of its shards' data, which
	// -maxmemory applies to; reported is what this Store last added to
	// them (memory_cluster.go). nil outside a shard grain.
	node     *nodeMemory
	reported memReport

	// now is the time of the command being run, in Unix milliseconds: one
	// clock reading per batch, as Redis reads it once per command.
	now int64
}

// Stats are the key space's counters (INFO stats).
type Stats struct {
	Commands    int64 // commands run
	ExpiredKeys int64 // keys removed because their time passed
	EvictedKeys int64 // keys removed to get under maxmemory
	KeyHits     int64
	KeyMisses   int64
}

// NewStore returns an empty store.
func NewStore(cfg *config) *Store {
	st := &Store{cfg: cfg, evictBudget: evictBudget}
	for i := range st.dbs {
		st.dbs[i] = &DB{Index: i, keys: newMemberTable[*entry](), st: st}
	}
	st.now = time.Now().UnixMilli()
	return st
}

// DB returns database i (0..15).
func (st *Store) DB(i int) *DB { return st.dbs[i] }

// Value is a key's value. Each data type's file has its type (Str here, the
// list, hash, set and zset types in theirs); a handler finds a key's value
// with Lookup, which checks its type.
type Value interface {
	Type() string     // TYPE's answer: "string", "list", "hash", "set", "zset"
	Encoding() string // OBJECT ENCODING's answer
}

// entry is one key's slot: its value, when it was last used and how often
// (for OBJECT IDLETIME and FREQ, and eviction) and its size as last counted
// (memory.go).
type entry struct {
	v    Value
	used int64  // Unix ms of the last read or write
	size int64  // bytes counted in DB.used for the key; -1 once removed
	freq uint8  // LFU counter (lfu.go), kept while an LFU policy is in force
	ldt  uint16 // LFU: Unix minutes (16 bits) of the last access counted
}

// DB is one of the 16 databases: its keys and their expiry times, kept
// apart as Redis keeps its expires dict, so the active expiry samples keys
// that have one. The keys are a memberTable (members.go), which gives SCAN
// its cursor and RANDOMKEY and eviction a random key in O(1).
type DB struct {
	Index int
	keys  *memberTable[*entry]
	// expires is key -> Unix ms at which it expires. It shrinks: active
	// expiry's and eviction's samples walk it, buckets and all.
	expires shrink.Map[string, int64]
	used    int64 // the keys' sizes and their expires entries, summed (memory.go)
	st      *Store
}

// Len is the number of keys (DBSIZE), expired ones not yet removed included.
func (db *DB) Len() int { return db.keys.len() }

// entry returns key's slot, expired or not, or nil.
func (db *DB) entry(key []byte) *entry {
	i, ok := db.keys.index[string(key)]
	if !ok {
		return nil
	}
	return db.keys.slots[i].val
}

// Get returns key's value, or nil if the key does not exist (or has just
// expired, which removes it: the lazy half of expiry).
func (db *DB) Get(key []byte) Value {
	e := db.entry(key)
	if e == nil {
		return nil
	}
	if db.expired(key) {
		return nil
	}
	e.used = db.st.now
	if db.st.lfu() {
		e.lfuTouch(db.st.now)
	}
	return e.v
}

// expired removes key if its time has passed, and says whether it did.
func (db *DB) expired(key []byte) bool {
	if len(db.expires.M) == 0 {
		return false
	}
	at, ok := db.expires.M[string(key)]
	if !ok || at > db.st.now {
		return false
	}
	db.remove(string(key))
	db.st.stats.ExpiredKeys++
	db.st.watches.touch(db.Index, key)
	return true
}

// holds says whether key exists and has not expired, touching nothing (not
// its access time, nor an expired key, which its next lookup removes).
func (db *DB) holds(key string) bool {
	return db.keys.has(key) && !db.isExpired(key)
}

// isExpired says whether key (which exists) has passed its time, without
// removing it (for walks over the keys, which must not change them).
func (db *DB) isExpired(key string) bool {
	if len(db.expires.M) == 0 {
		return false
	}
	at, ok := db.expires.M[key]
	return ok && at <= db.st.now
}

// Set makes v the value of key, a new key or an existing one of any type;
// the key's time to live is dropped unless keepTTL. It counts as a change.
func (db *DB) Set(key []byte, v Value, keepTTL bool) { db.set(db.entry(key), key, v, keepTTL) }

// SetStr is Set of a string holding a copy of val (SET, GETSET, ...). A key
// that holds a string with room for val has it rewritten in place: a Str is
// its key's alone (APPEND and SETRANGE change it in place, COPY copies it,
// a reply copies its bytes), and redis-benchmark's SETs overwrite their
// keys, two allocations each (the Str and its bytes) otherwise. Room: at
// least len(val), and at most twice that and a little, since the memory
// count (valueSize) sees its length, not its capacity.
func (db *DB) SetStr(key, val []byte, keepTTL bool) {
	e := db.entry(key)
	if e != nil {
		if s, ok := e.v.(*Str); ok && cap(s.B) >= len(val) && cap(s.B) <= 2*len(val)+16 {
			s.B = append(s.B[:0], val...)
			db.set(e, key, s, keepTTL)
			return
		}
	}
	db.set(e, key, &Str{B: clone(val)}, keepTTL)
}

// set is Set on key's slot e (nil: none).
func (db *DB) set(e *entry, key []byte, v Value, keepTTL bool) {
	if e != nil {
		e.v, e.used = v, db.st.now
		if db.st.lfu() {
			e.lfuTouch(db.st.now) // as Redis's lookupKeyWrite before dbOverwrite
		}
	} else {
		e = &entry{v: v, used: db.st.now}
		e.lfuStart(db.st.now)
		db.keys.add(string(key), e)
	}
	if !keepTTL && len(db.expires.M) > 0 {
		db.Persist(key)
	}
	db.noteEntry(e, len(key)) // Changed's note, without looking key up again
	db.changed(key)
}

// Delete removes key and reports whether it existed. It counts as a change.
func (db *DB) Delete(key []byte) bool {
	if db.Get(key) == nil {
		return false
	}
	db.remove(string(key))
	db.Changed(key)
	return true
}

// remove drops key and its expiry, no questions asked.
func (db *DB) remove(key string) {
	if e, ok := db.keys.remove(key); ok {
		db.forget(e)
	}
	if _, ok := db.expires.M[key]; ok {
		db.expires.Delete(key)
		db.used -= expireSize(key)
	}
}

// addClient records cl, the client of connection id.
func (st *Store) addClient(id string, cl *client) {
	st.clients.Set(id, cl)
}

// dropClient forgets the client of connection id (the map shrinks: 100 000
// clients that came and went would leave their buckets behind).
func (st *Store) dropClient(id string) { st.clients.Delete(id) }

// Expire sets key's expiry time (Unix ms); the key must exist.
func (db *DB) Expire(key []byte, at int64) {
	if _, ok := db.expires.M[string(key)]; !ok {
		db.used += expireSize(string(key))
	}
	db.expires.Set(string(key), at)
}

// TTL returns key's expiry time (Unix ms), or -1 if it has none.
func (db *DB) TTL(key []byte) int64 {
	if at, ok := db.expires.M[string(key)]; ok {
		return at
	}
	return -1
}

// Persist drops key's expiry and reports whether it had one.
func (db *DB) Persist(key []byte) bool {
	if _, ok := db.expires.M[string(key)]; !ok {
		return false
	}
	db.expires.Delete(string(key))
	db.used -= expireSize(string(key))
	return true
}

// Changed records that key's value changed (Redis's signalModifiedKey): the
// connections watching it will have their EXEC refused, and the requests
// parked on it are tried again once the current command is done. Set and
// Delete call it; a handler that changes a value in place (a push onto a
// list) calls it itself.
func (db *DB) Changed(key []byte) {
	db.note(key)
	db.changed(key)
}

// changed is Changed but the note for the memory count.
func (db *DB) changed(key []byte) {
	db.st.dirty++
	db.st.blocks.changed(db.Index, key)
	db.st.watches.touch(db.Index, key)
}

// Str is a string value: its bytes (Redis's raw and embstr encodings; an
// integer is kept as its text, and OBJECT ENCODING still says "int").
type Str struct{ B []byte }

// Type implements Value.
func (s *Str) Type() string { return "string" }

// Encoding implements Value, as Redis encodes a string: a decimal integer
// that fits a long is "int", up to 44 bytes "embstr", else "raw".
func (s *Str) Encoding() string {
	if len(s.B) <= 20 {
		if _, ok := parseInt(s.B); ok {
			return "int"
		}
	}
	if len(s.B) <= 44 {
		return "embstr"
	}
	return "raw"
}

// flush empties the database: every key counts as changed for the
// connections that watch keys in it (Redis's touchAllWatchedKeysInDb).
func (db *DB) flush() {
	db.st.watches.flushed(db.Index, db)
	db.st.settle()
	db.keys = newMemberTable[*entry]()
	db.expires.Clear()
	db.used = 0
}

// swap exchanges databases a and b (SWAPDB): connections keep their
// selected index and see the other's data; requests parked on keys in
// either are tried again, watches on both are touched.
func (st *Store) swap(a, b int) {
	if a == b {
		return
	}
	st.settle() // the noted entries name their database
	st.watches.flushed(a, st.dbs[a])
	st.watches.flushed(b, st.dbs[b])
	st.dbs[a].keys, st.dbs[b].keys = st.dbs[b].keys, st.dbs[a].keys
	st.dbs[a].expires, st.dbs[b].expires = st.dbs[b].expires, st.dbs[a].expires
	st.dbs[a].used, st.dbs[b].used = st.dbs[b].used, st.dbs[a].used
	st.watches.flushed(a, st.dbs[a])
	st.watches.flushed(b, st.dbs[b])
	st.blocks.allChanged(a)
	st.blocks.allChanged(b)
}
