package resp

import (
	"strconv"
	"testing"
	"time"
)

// TestUnparkedKeysGiveBackTheirMap ensures the parked requests' index by
// key gives back its heap once they are served, time out or go: a BLPOP on
// 100 000 keys, unparked, while another request stays parked on one key.
func TestUnparkedKeysGiveBackTheirMap(t *testing.T) {
	const n = 100_000
	var b blocks
	before := heapAfterGC()
	b.park(&job{}, &blockSpec{keys: [][]byte{[]byte("last")}}, 0, time.Now())
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte("key-" + strconv.Itoa(i))
	}
	p := b.park(&job{}, &blockSpec{keys: keys}, 0, time.Now())
	for _, k := range keys {
		b.changed(0, k)
	}
	for range keys {
		b.nextReady()
	}
	keys = nil
	full := heapAfterGC() - before
	b.unpark(p)
	p = nil
	kept := heapAfterGC() - before
	if len(b.waiting.M) != 1 || b.parked != 1 { // and b is live until here
		t.Fatalf("%d keys waited on by %d requests; want the one", len(b.waiting.M), b.parked)
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d keys waited on and let go: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}
