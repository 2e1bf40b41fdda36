package resp

import "async_server/internal/shrink"

// watches is WATCH's bookkeeping, Redis's watched_keys: which connections
// watch which keys, and which of them saw a watched key change since (their
// EXEC is refused). It is in the Store, so it outlives a failed key-space
// instance like the data it watches. Its maps shrink once most of it has
// been let go: 100 000 keys watched and let go kept 5.2 MB of buckets before
// they did, which FLUSHDB's walk (flushed) also visited, and a key's
// watchers, 100 000 of them all but one gone, kept 3.5 MB, which every
// change of the key walked.
type watches struct {
	byKey    shrink.Map[dbKey, watchers] // watched key -> its watchers
	byClient shrink.Map[string, []dbKey] // connection PID id -> its watched keys
	dirty    shrink.Map[string, bool]    // connections whose EXEC must fail
}

// watchers is a watched key's connections, by PID id. Kept by value in
// watches.byKey (no allocation but its map's): store it back after a change.
type watchers = shrink.Map[string, bool]

// watch has client watch key in database db.
func (w *watches) watch(client string, db int, key []byte) {
	k := dbKey{db, string(key)}
	set := w.byKey.M[k]
	if !set.M[client] {
		set.Set(client, true)
		w.byKey.Set(k, set)
		w.byClient.Set(client, append(w.byClient.M[client], k))
	}
}

// unwatch forgets every key client watches, and its dirty mark.
func (w *watches) unwatch(client string) {
	for _, k := range w.byClient.M[client] {
		if set, ok := w.byKey.M[k]; ok {
			set.Delete(client)
			if len(set.M) == 0 {
				w.byKey.Delete(k)
			} else {
				w.byKey.Set(k, set)
			}
		}
	}
	w.byClient.Delete(client)
	w.dirty.Delete(client)
}

// touch marks the watchers of key dirty.
func (w *watches) touch(db int, key []byte) {
	if len(w.byKey.M) == 0 {
		return
	}
	for client := range w.byKey.M[dbKey{db, string(key)}].M {
		w.dirty.Set(client, true)
	}
}

// flushed marks dirty the watchers of every watched key in database index
// that exists in d (about to be emptied or replaced).
func (w *watches) flushed(index int, d *DB) {
	for k, set := range w.byKey.M {
		if k.db != index {
			continue
		}
		if !d.keys.has(k.key) {
			continue
		}
		for client := range set.M {
			w.dirty.Set(client, true)
		}
	}
}
