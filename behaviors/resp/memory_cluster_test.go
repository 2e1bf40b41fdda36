package resp

import (
	"strconv"
	"testing"
)

// TestNodeMemory ensures that shards sharing a node's sums (two Stores, as
// two shard grains of one node) are limited together: over the limit, a
// shard with nothing to evict is refused under noeviction (roomNone), says
// roomElsewhere under allkeys-lru while the other has keys (the command
// runs; the other is asked to evict), and the other's makeRoom evicts
// until the node, not itself, is within the limit; a Store leaving the
// node (unpublish) takes its data out of the sums.
func TestNodeMemory(t *testing.T) {
	cfg, _ := newConfig(Options{})
	var node nodeMemory
	full, empty := NewStore(cfg), NewStore(cfg)
	full.node, empty.node = &node, &node
	for i := range 10 {
		full.dbs[0].Set([]byte("k"+strconv.Itoa(i)), &Str{B: make([]byte, 1000)}, false)
	}
	full.publish()
	empty.publish()
	if got, want := node.used.Load(), full.usedMemory(); got != want || node.keys.Load() != 10 {
		t.Fatalf("node sums: used %d, keys %d; want %d, 10", got, node.keys.Load(), want)
	}
	limit := full.usedMemory() / 2
	cfg.maxMemory.Store(limit)
	if r := empty.makeRoom(); r != roomNone {
		t.Fatalf("noeviction, node over its limit: the empty shard's makeRoom = %d; want roomNone", r)
	}
	cfg.policy.Store(policyAllKeysLRU)
	if r := empty.makeRoom(); r != roomElsewhere {
		t.Fatalf("allkeys-lru: the empty shard's makeRoom = %d; want roomElsewhere", r)
	}
	if r := full.makeRoom(); r != roomOK {
		t.Fatalf("allkeys-lru: the full shard's makeRoom = %d; want roomOK", r)
	}
	full.publish()
	if used := node.used.Load(); used > limit || used <= limit-1200 {
		t.Fatalf("node used %d after the full shard evicted; want just under %d", used, limit)
	}
	if n := node.evicted.Load(); n != full.stats.EvictedKeys || n == 0 {
		t.Fatalf("node evicted %d, the shard %d; want the same, above 0", n, full.stats.EvictedKeys)
	}
	cfg.policy.Store(policyVolatileLRU) // no key has a time to live
	empty.dbs[0].Set([]byte("e"), &Str{B: make([]byte, 10*limit)}, false)
	if r := empty.makeRoom(); r != roomNone {
		t.Fatalf("volatile-lru, no key with a TTL: makeRoom = %d; want roomNone", r)
	}
	full.unpublish()
	empty.unpublish()
	if node.used.Load() != 0 || node.keys.Load() != 0 || node.volatile.Load() != 0 {
		t.Fatalf("node sums after both left: %d %d %d; want 0", node.used.Load(), node.keys.Load(), node.volatile.Load())
	}
}
