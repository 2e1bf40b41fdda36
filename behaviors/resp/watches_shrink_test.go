package resp

import (
	"strconv"
	"testing"
)

// TestUnwatchedKeysGiveBackTheirMap ensures WATCH's bookkeeping gives back
// its heap once the keys are unwatched (EXEC, UNWATCH or the connection's
// end): 100 000 keys watched and let go, while another stays watched.
func TestUnwatchedKeysGiveBackTheirMap(t *testing.T) {
	const n = 100_000
	var w watches
	before := heapAfterGC()
	w.watch("last", 0, []byte("last")) // watched throughout
	for i := range n {
		w.watch("conn-"+strconv.Itoa(i%2), 0, []byte("key-"+strconv.Itoa(i)))
	}
	full := heapAfterGC() - before
	w.unwatch("conn-0")
	w.unwatch("conn-1")
	kept := heapAfterGC() - before
	if len(w.byKey.M) != 1 || len(w.byClient.M) != 1 { // and w is live until here
		t.Fatalf("%d keys watched by %d clients left; want the one", len(w.byKey.M), len(w.byClient.M))
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d keys watched and let go: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}
