package resp

import "testing"

// TestPaidBatchesGiveBackTheirMap ensures the shard router's record of the
// batches it owes gives back its heap once they are answered: 100 000
// batches owed at once (a burst of pipelines to a slow shard), all but one
// then answered. The router lives as long as the node.
func TestPaidBatchesGiveBackTheirMap(t *testing.T) {
	const n = 100_000
	r := &shardRouter{srv: &server{}}
	before := heapAfterGC()
	r.owe(&routed{})
	batches := make([]*routed, n)
	for i := range batches {
		batches[i] = &routed{}
		r.owe(batches[i])
	}
	full := heapAfterGC() - before
	for i, rt := range batches {
		r.paid(rt)
		batches[i] = nil
	}
	batches = nil
	kept := heapAfterGC() - before
	if len(r.owed.M) != 1 || r.srv.shardOwed.Load() != 1 { // and r is live until here
		t.Fatalf("%d batches owed (%d counted); want the one", len(r.owed.M), r.srv.shardOwed.Load())
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d batches owed and answered: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}
