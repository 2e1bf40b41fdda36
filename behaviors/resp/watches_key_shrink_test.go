package resp

import (
	"strconv"
	"testing"
)

// TestUnwatchingClientsGiveBackTheirSet ensures a watched key's set of
// watchers gives back its heap once most of them have let it go: 100 000
// connections watched one key, and all but one unwatched (EXEC, UNWATCH or
// their end). The set was let go only once empty, so one watcher left kept
// the buckets of all of them, and every change of the key walked them.
func TestUnwatchingClientsGiveBackTheirSet(t *testing.T) {
	const n = 100_000
	var w watches
	before := heapAfterGC()
	w.watch("last", 0, []byte("k"))
	for i := range n {
		w.watch("conn-"+strconv.Itoa(i), 0, []byte("k"))
	}
	full := heapAfterGC() - before
	for i := range n {
		w.unwatch("conn-" + strconv.Itoa(i))
	}
	kept := heapAfterGC() - before
	if len(w.byKey.M) != 1 || len(w.byClient.M) != 1 { // and w is live until here
		t.Fatalf("%d keys watched by %d clients left; want the one", len(w.byKey.M), len(w.byClient.M))
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d watchers of a key, all but one gone: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}
