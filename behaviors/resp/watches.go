package resp

// watches is WATCH's bookkeeping, Redis's watched_keys: which connections
// watch which keys, and which of them saw a watched key change since (their
// EXEC is refused). It is in the Store, so it outlives a failed key-space
// instance like the data it watches. Its maps shrink once most of it has
// been let go: 100 000 keys watched and let go kept 5.2 MB of buckets before
// they did, which FLUSHDB's walk (flushed) also visited, and a key's
// watchers, 100 000 of them all but one gone, kept 3.5 MB, which every
// change of the key walked.
type watches struct {
	byKey    shrinkingMap[dbKey, watchers] // watched key -> its watchers
	byClient shrinkingMap[string, []dbKey] // connection PID id -> its watched keys
	dirty    shrinkingMap[string, bool]    // connections whose EXEC must fail
}

// watchers is a watched key's connections, by PID id. Kept by value in
// watches.byKey (no allocation but its map's): store it back after a change.
type watchers = shrinkingMap[string, bool]

// watch has client watch key in database db.
func (w *watches) watch(client string, db int, key []byte) {
	k := dbKey{db, string(key)}
	set := w.byKey.m[k]
	if !set.m[client] {
		set.set(client, true)
		w.byKey.set(k, set)
		w.byClient.set(client, append(w.byClient.m[client], k))
	}
}

// unwatch forgets every key client watches, and its dirty mark.
func (w *watches) unwatch(client string) {
	for _, k := range w.byClient.m[client] {
		if set, ok := w.byKey.m[k]; ok {
			set.delete(client)
			if len(set.m) == 0 {
				w.byKey.delete(k)
			} else {
				w.byKey.set(k, set)
			}
		}
	}
	w.byClient.delete(client)
	w.dirty.delete(client)
}

// touch marks the watchers of key dirty.
func (w *watches) touch(db int, key []byte) {
	if len(w.byKey.m) == 0 {
		return
	}
	for client := range w.byKey.m[dbKey{db, string(key)}].m {
		w.dirty.set(client, true)
	}
}

// flushed marks dirty the watchers of every watched key in database index
// that exists in d (about to be emptied or replaced).
func (w *watches) flushed(index int, d *DB) {
	for k, set := range w.byKey.m {
		if k.db != index {
			continue
		}
		if !d.keys.has(k.key) {
			continue
		}
		for client := range set.m {
			w.dirty.set(client, true)
		}
	}
}
