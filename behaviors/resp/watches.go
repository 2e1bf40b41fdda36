package resp

// watches is WATCH's bookkeeping, Redis's watched_keys: which connections
// watch which keys, and which of them saw a watched key change since (their
// EXEC is refused). It is in the Store, so it outlives a failed key-space
// instance like the data it watches. The peaks (the most each map has held
// since it was made) let the maps be made anew once most of it has been let
// go (shrunk): 100 000 keys watched and let go kept 5.2 MB of buckets, which
// FLUSHDB's walk (flushed) also visited.
type watches struct {
	byKey     map[dbKey]map[string]bool // watched key -> connection PID ids
	byClient  map[string][]dbKey        // connection PID id -> its watched keys
	dirty     map[string]bool           // connections whose EXEC must fail
	keysPeak  int                       // the most keys byKey has held
	watchPeak int                       // the most clients byClient has held
	dirtyPeak int                       // the most clients dirty has held
}

func (w *watches) init() {
	w.byKey = map[dbKey]map[string]bool{}
	w.byClient = map[string][]dbKey{}
	w.dirty = map[string]bool{}
}

// watch has client watch key in database db.
func (w *watches) watch(client string, db int, key []byte) {
	k := dbKey{db, string(key)}
	set := w.byKey[k]
	if set == nil {
		set = map[string]bool{}
		w.byKey[k] = set
		w.keysPeak = max(w.keysPeak, len(w.byKey))
	}
	if !set[client] {
		set[client] = true
		w.byClient[client] = append(w.byClient[client], k)
		w.watchPeak = max(w.watchPeak, len(w.byClient))
	}
}

// unwatch forgets every key client watches, and its dirty mark.
func (w *watches) unwatch(client string) {
	for _, k := range w.byClient[client] {
		if set := w.byKey[k]; set != nil {
			delete(set, client)
			if len(set) == 0 {
				delete(w.byKey, k)
			}
		}
	}
	delete(w.byClient, client)
	delete(w.dirty, client)
	w.byKey, w.keysPeak = shrunk(w.byKey, w.keysPeak)
	w.byClient, w.watchPeak = shrunk(w.byClient, w.watchPeak)
	w.dirty, w.dirtyPeak = shrunk(w.dirty, w.dirtyPeak)
}

// touch marks the watchers of key dirty.
func (w *watches) touch(db int, key []byte) {
	if len(w.byKey) == 0 {
		return
	}
	for client := range w.byKey[dbKey{db, string(key)}] {
		w.dirty[client] = true
	}
	w.dirtyPeak = max(w.dirtyPeak, len(w.dirty))
}

// flushed marks dirty the watchers of every watched key in database index
// that exists in d (about to be emptied or replaced).
func (w *watches) flushed(index int, d *DB) {
	for k, set := range w.byKey {
		if k.db != index {
			continue
		}
		if !d.keys.has(k.key) {
			continue
		}
		for client := range set {
			w.dirty[client] = true
		}
	}
	w.dirtyPeak = max(w.dirtyPeak, len(w.dirty))
}
