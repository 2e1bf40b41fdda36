package resp

import (
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// TestEndedClientsGiveBackTheirMap ensures the key space's record of the
// connections it knows gives back its heap once they have gone: 100 000
// connections that sent a command and ended kept 3.5 MB in the map's
// buckets (a Go map never shrinks), with one connection left.
func TestEndedClientsGiveBackTheirMap(t *testing.T) {
	const n = 100_000
	cfg, err := newConfig(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	k := &keySpace{st: NewStore(cfg)}
	pids := make([]*actor.PID, n)
	for i := range pids {
		pids[i] = &actor.PID{Id: "conn-" + strconv.Itoa(i)}
	}
	before := heapAfterGC()
	for _, pid := range pids {
		k.st.addClient(pid.Id, &client{pid: pid})
	}
	full := heapAfterGC()
	for _, pid := range pids[1:] {
		k.forget(nil, pid, true, false)
	}
	after := heapAfterGC()
	if len(k.st.clients.M) != 1 || k.st.clients.M[pids[0].Id] == nil {
		t.Fatalf("%d clients left; want the first alone", len(k.st.clients.M))
	}
	if kept := after - before; kept > 256<<10 {
		t.Errorf("%d clients, all but one ended: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full-before)
	}
}
