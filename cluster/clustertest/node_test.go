package clustertest

import "testing"

// TestFreeAddrsDistinct ensures FreeAddrs gives n different addresses: the
// kernel may choose a port just closed again, so addresses chosen one at a
// time (listen, close, listen) can repeat, and a cluster test's two nodes
// then share one -node-addr.
func TestFreeAddrsDistinct(t *testing.T) {
	const n = 300
	seen := map[string]bool{}
	for _, a := range FreeAddrs(t, n) {
		if seen[a] {
			t.Fatalf("%s twice among %d addresses", a, n)
		}
		seen[a] = true
	}
}
