package resp

import "unsafe"

// Used memory (INFO memory's used_memory, what -maxmemory is compared with)
// is the data set as the store accounts for it, not the Go heap: the heap
// holds garbage until the collector's next cycle, and the connections'
// buffers, which the server-wide memory budget bounds (actors' budget.go),
// so a limit on it would refuse a write after FLUSHALL. The store keeps an
// estimate per key, updated on every change, and the sum per database:
//
//	key          keyOverhead + len(key) + value
//	  with a TTL + expireOverhead + len(key)
//	string       strOverhead + len(bytes)
//	list         listOverhead + listSlotOverhead per slot of its ring
//	             + Σ per chunk (8 per span slot + its arena's capacity)
//	hash         hashOverhead + Σ (hashFieldOverhead + len(field) + len(value))
//	set          setOverhead + 8 per member while an intset,
//	             else Σ (setMemberOverhead + len(member))
//	sorted set   zsetOverhead + Σ (zsetMemberOverhead + len(member))
//
// Lengths, not capacities: a string APPEND grew may hold up to about twice
// what is counted. A list is the exception, counted as it is laid out
// (list_value.go, list_chunk.go): its chunks' span slots and arenas by their capacities,
// which List.room keeps summed, as a list's slack is its layout's: an
// arena grows by doubling up to its chunk's 8 KiB and a new chunk's starts
// at most 1 KiB (TestListHeapPerData: 1.05-1.33 times the elements' bytes
// and offsets), but a queue's arena keeps its pops' garbage, up to its live
// bytes, and room for as many again (2.25 times). The other overheads are what Go spends per
// key and per element here (the map entries, slots and headers), measured
// once with TestMemoryEstimate, which checks the estimate stays within a
// factor of the heap's growth for each type.
//
// How it stays true: a key's entry remembers the size it was last counted at
// (entry.size). DB.Changed, which every write calls after changing a key
// (DB.Set and DB.Delete call it; a handler that changes a value in place
// calls it, for WATCH and blocked clients), notes the entry; after each
// command settle counts the noted entries again, each in O(1), as every
// value keeps the sum of its elements' lengths (a list, its chunks' sizes).
// Removing a key subtracts its size at once, and FLUSHDB, FLUSHALL and
// SWAPDB move or drop a database's sum whole.
const (
	keyOverhead        = 144                             // memberTable slot and map entry, the entry, the interface's box
	expireOverhead     = 48                              // an expires map entry
	strOverhead        = 24                              // the Str
	listOverhead       = int(unsafe.Sizeof(List{}))      // 64: the List (its chunks are counted in List.room)
	listSlotOverhead   = int(unsafe.Sizeof(listChunk{})) // 64: a slot of its ring of chunks, used or not
	hashOverhead       = 96                              // the Hash and its map header
	hashFieldOverhead  = 112                             // its entry (56), map entry, the field's and value's allocations
	setOverhead        = 48
	setMemberOverhead  = 80 // memberTable slot and map entry
	zsetOverhead       = 160
	zsetMemberOverhead = 176 // memberTable slot and map entry, a skiplist node
)

// usedMemory is the data set's accounted bytes (after settling what the
// running command changed).
func (st *Store) usedMemory() int64 {
	st.settle()
	var n int64
	for _, db := range st.dbs {
		n += db.used
	}
	return n
}

// touched is an entry a command changed, to be counted again by settle.
type touched struct {
	db   *DB
	e    *entry
	klen int
}

// note records that key's entry (if it exists) changed.
func (db *DB) note(key []byte) {
	if e := db.entry(key); e != nil {
		db.noteEntry(e, len(key))
	}
}

// noteEntry records that e, the entry of a key klen bytes long, changed.
func (db *DB) noteEntry(e *entry, klen int) {
	db.st.touched = append(db.st.touched, touched{db, e, klen})
}

// settle counts the noted entries again. An entry removed since it was
// noted (size -1) was subtracted when it went.
func (st *Store) settle() {
	for i, t := range st.touched {
		if t.e.size >= 0 {
			n := int64(keyOverhead+t.klen) + valueSize(t.e.v)
			t.db.used += n - t.e.size
			t.e.size = n
		}
		st.touched[i] = touched{}
	}
	st.touched = st.touched[:0]
	if cap(st.touched) > maxTouchedKept {
		st.touched = nil // an MSET of many keys does not keep its list for good
	}
}

// maxTouchedKept is the most entries settle's list keeps room for between
// commands: more than most commands change, little memory.
const maxTouchedKept = 1024

// forget subtracts a removed entry's size and marks it removed.
func (db *DB) forget(e *entry) {
	db.used -= e.size
	e.size = -1
}

// valueSize is v's estimate, in O(1): each value keeps its elements' lengths
// summed, a list its chunks' sizes.
func valueSize(v Value) int64 {
	switch t := v.(type) {
	case *Str:
		return int64(strOverhead + len(t.B))
	case *List:
		return int64(listOverhead + len(t.ring)*listSlotOverhead + t.room)
	case *Hash:
		return int64(hashOverhead + len(t.index)*hashFieldOverhead + t.bytes)
	case *Set:
		if t.table == nil {
			return int64(setOverhead + 8*len(t.ints))
		}
		return int64(setOverhead + t.table.len()*setMemberOverhead + t.table.bytes)
	case *ZSet:
		return int64(zsetOverhead + t.len()*zsetMemberOverhead + t.table.bytes)
	}
	return strOverhead // a test's value type
}

// expireSize is what key's expires entry is counted at.
func expireSize(key string) int64 { return int64(expireOverhead + len(key)) }
