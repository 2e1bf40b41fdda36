package resp

// watches is WATCH's bookkeeping, Redis's watched_keys: which connections
// watch which keys, and which of them saw a watched key change since (their
// EXEC is refused). It is in the Store, so it outlives a failed key-space
// instance like the data it watches. Its maps shrink once most of it has
// been let go: 100 000 keys watched and let go kept 5.2 MB of buckets before
// they did, which FLUSHDB's walk (flushed) also visited.
type watches struct {
	byKey    shrinkingMap[dbKey, map[string]bool] // watched key -> connection PID ids
	byClient shrinkingMap[string, []dbKey]        // connection PID id -> its watched keys
	dirty    shrinkingMap[string, bool]           // connections whose EXEC must fail
}

// watch has client watch key in database db.
func (w *watches) watch(client string, db int, key []byte) {
	k := dbKey{db, string(key)}
	set := w.byKey.m[k]
	if set == nil {
		set = map[string]bool{}
		w.byKey.set(k, set)
	}
	if !set[client] {
		set[client] = true
		w.byClient.set(client, append(w.byClient.m[client], k))
	}
}

// unwatch forgets every key client watches, and its dirty mark.
func (w *watches) unwatch(client string) {
	for _, k := range w.byClient.m[client] {
		if set := w.byKey.m[k]; set != nil {
			delete(set, client)
			if len(set) == 0 {
				w.byKey.delete(k)
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
	for client := range w.byKey.m[dbKey{db, string(key)}] {
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
		for client := range set {
			w.dirty.set(client, true)
		}
	}
}
