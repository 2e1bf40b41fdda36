package resp

import (
	"strconv"
	"testing"
)

// TestLeftClientsGiveBackTheirMap ensures the registry of connections
// (CLIENT LIST, INFO clients) gives back its heap once they have ended, as
// the key space's record does (TestEndedClientsGiveBackTheirMap): 100 000
// connections that came and went, one connection left. CLIENT LIST and
// INFO's count walk the map, buckets and all.
func TestLeftClientsGiveBackTheirMap(t *testing.T) {
	const n = 100_000
	srv := &server{}
	before := heapAfterGC()
	srv.clients.join(srv, "last", nil, nil)
	for i := range n {
		srv.clients.join(srv, "conn-"+strconv.Itoa(i), nil, nil)
	}
	full := heapAfterGC() - before
	for i := range n {
		srv.clients.leave("conn-" + strconv.Itoa(i))
	}
	kept := heapAfterGC() - before
	if all := srv.clients.list(); len(all) != 1 || all[0].conn != "last" { // and srv is live until here
		t.Fatalf("%d clients left; want the last alone", len(all))
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d clients, all but one gone: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}
