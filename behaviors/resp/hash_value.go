package resp

import (
	"math/rand/v2"
	"sort"
)

// Redis 7.0's defaults for a hash's compact encoding: a hash with at most
// hashMaxListpackEntries fields, none of whose fields or values is longer than
// hashMaxListpackValue bytes, is a "listpack"; past either it becomes a
// "hashtable" for good. The encoding shows in OBJECT ENCODING and decides what
// HSCAN does (a listpack is returned whole, cursor 0), so the key space keeps
// track of it as Redis does. Redis 7.0.15 converts on what it stores, not
// on what a command was given (measured): HSETNX with a long value on an
// existing field, or one HSET of 513 pairs of one field, leave a listpack.
const (
	hashMaxListpackEntries = 512
	hashMaxListpackValue   = 64
)

// Hash is a hash value: fields in the order they were first set, as a
// listpack-encoded Redis hash returns them (HGETALL, HKEYS, HSCAN), with a map
// from field to position for O(1) lookups.
//
// A deleted field leaves a hole in entries until holes outnumber live fields,
// when entries is compacted (amortized O(1) per delete). Each entry carries a
// sequence number, increasing in entries' order and kept by holes and
// compaction, which is what an HSCAN cursor names: a scan resumes at the first
// field set at or after it, so a field present for the whole scan is returned
// exactly once however the hash changes meanwhile (Redis promises at least
// once).
//
// Values are never changed in place (HINCRBY stores a new slice), so a reply
// may keep one after the key space moves on.
type Hash struct {
	entries []hashEntry
	index   map[string]int // field -> position in entries
	holes   int            // deleted entries not yet compacted away
	nextSeq uint64         // the seq of the next new field; starts at 1 (0 ends a scan)
	table   bool           // Redis's "hashtable" encoding: set once a limit is passed, never cleared
	bytes   int            // the live fields' and values' lengths, summed (memory.go)
}

// hashEntry is one field of a hash, or a hole where one was deleted.
type hashEntry struct {
	field string
	value []byte
	seq   uint64
	dead  bool
}

func newHash() *Hash { return &Hash{index: map[string]int{}, nextSeq: 1} }

// Len returns the number of fields.
func (h *Hash) Len() int { return len(h.index) }

// Get returns field's value and whether the field exists.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	i, ok := h.index[string(field)]
	if !ok {
		return nil, false
	}
	return h.entries[i].value, true
}

// Set stores value (kept, not copied: the caller hands over a slice it will not
// change) under field (copied) and reports whether the field is new. An
// existing field keeps its place in the order.
func (h *Hash) Set(field, value []byte) bool {
	if len(field) > hashMaxListpackValue || len(value) > hashMaxListpackValue {
		h.table = true
	}
	if i, ok := h.index[string(field)]; ok {
		h.bytes += len(value) - len(h.entries[i].value)
		h.entries[i].value = value
		return false
	}
	h.bytes += len(field) + len(value)
	f := string(field)
	h.index[f] = len(h.entries)
	h.entries = append(h.entries, hashEntry{field: f, value: value, seq: h.nextSeq})
	h.nextSeq++
	if len(h.index) > hashMaxListpackEntries {
		h.table = true
	}
	return true
}

// Put is Set of a copy of value. A field whose value has room for it has it
// rewritten in place, as DB.SetStr does a string's: a value is its field's
// alone (COPY copies it, a reply copies its bytes), and redis-benchmark's
// HSETs overwrite one field, an allocation each otherwise.
func (h *Hash) Put(field, value []byte) bool {
	if i, ok := h.index[string(field)]; ok && len(value) <= hashMaxListpackValue {
		if old := h.entries[i].value; cap(old) >= len(value) && cap(old) <= 2*len(value)+16 {
			h.bytes += len(value) - len(old)
			h.entries[i].value = append(old[:0], value...)
			return false
		}
	}
	return h.Set(field, clone(value))
}

// Delete removes field and reports whether it was there.
func (h *Hash) Delete(field []byte) bool {
	i, ok := h.index[string(field)]
	if !ok {
		return false
	}
	delete(h.index, string(field))
	h.bytes -= len(h.entries[i].field) + len(h.entries[i].value)
	h.entries[i] = hashEntry{seq: h.entries[i].seq, dead: true}
	h.holes++
	if h.holes > len(h.index) && h.holes > 8 {
		h.compact()
	}
	return true
}

// Each calls fn for every field, in order.
func (h *Hash) Each(fn func(field string, value []byte)) {
	for i := range h.entries {
		if e := &h.entries[i]; !e.dead {
			fn(e.field, e.value)
		}
	}
}

// Random returns a field chosen uniformly at random; the hash must not be
// empty. Holes are at most half the entries (plus a few), so the expected
// number of draws is below two.
func (h *Hash) Random() *hashEntry {
	for {
		e := &h.entries[rand.IntN(len(h.entries))]
		if !e.dead {
			return e
		}
	}
}

// Live returns the fields, in order (a new slice of entries that share the
// hash's strings and values).
func (h *Hash) Live() []hashEntry {
	out := make([]hashEntry, 0, len(h.index))
	for _, e := range h.entries {
		if !e.dead {
			out = append(out, e)
		}
	}
	return out
}

// Scan returns up to count fields from cursor on and the cursor to continue
// from (0 when the scan is done). A listpack-encoded hash returns every field
// and 0 whatever the cursor and count, as Redis does; a hashtable resumes at
// the first field whose seq is at least cursor.
func (h *Hash) Scan(cursor uint64, count int) ([]hashEntry, uint64) {
	if !h.table {
		return h.Live(), 0
	}
	i := sort.Search(len(h.entries), func(i int) bool { return h.entries[i].seq >= cursor })
	var out []hashEntry
	for ; i < len(h.entries) && len(out) < count; i++ {
		if !h.entries[i].dead {
			out = append(out, h.entries[i])
		}
	}
	for ; i < len(h.entries); i++ {
		if !h.entries[i].dead {
			return out, h.entries[i].seq
		}
	}
	return out, 0
}

// Type implements Value.
func (h *Hash) Type() string { return "hash" }

// Encoding implements Value: the name OBJECT ENCODING gives the hash.
func (h *Hash) Encoding() string {
	if h.table {
		return "hashtable"
	}
	return "listpack"
}

// compact drops the holes, keeping the order and every entry's seq. The
// index is made anew: a Go map never gives back the buckets of deleted
// keys, so a hash that was large and is small again would keep them.
func (h *Hash) compact() {
	live := h.Live()
	h.index = make(map[string]int, len(live))
	for i, e := range live {
		h.index[e.field] = i
	}
	h.entries, h.holes = live, 0
}
