package resp

import (
	"strconv"
	"testing"
)

// TestUnsubscribedNamesGiveBackTheirMap ensures a connection's own set of
// subscriptions gives back its heap once most are let go: one connection
// subscribed to 100 000 channels, then unsubscribed from all but one. Its
// map was let go only once empty, so one channel left kept the buckets of
// all of them for as long as the connection lived.
func TestUnsubscribedNamesGiveBackTheirMap(t *testing.T) {
	const n = 100_000
	var ns nameSet
	before := heapAfterGC()
	ns.add("last")
	for i := range n {
		ns.add("ch-" + strconv.Itoa(i))
	}
	full := heapAfterGC() - before
	for i := range n {
		ns.remove("ch-" + strconv.Itoa(i))
	}
	kept := heapAfterGC() - before
	if ns.len() != 1 || !ns.has("last") { // and ns is live until here
		t.Fatalf("%d names left; want the last alone", ns.len())
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d names subscribed to and let go: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}
