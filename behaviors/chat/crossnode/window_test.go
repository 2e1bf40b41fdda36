package crossnode_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"async_server/cluster"
	"async_server/cluster/clustertest"
)

// TestRoomWindow ensures a node that stalls cannot make a room's node hold
// every line said meanwhile for its members (before, the room's node
// queued them all for the stopped one, without bound): with B stopped
// (SIGSTOP), the room's grain on A sends lines to bob, on B, only within
// B's send window, never counting more than the window in flight, and
// drops the rest, counting them; once B resumes, bob reads the lines A sent
// in order (the first ones, none skipped) and a later line reaches him.
func TestRoomWindow(t *testing.T) {
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Nodes: 2, Args: []string{"-chat-flood=false"}})
	clustertest.WaitFormed(t, nodes)
	room := roomOn(t, nodes, nodes[0], "w")
	alice, _ := join(t, nodes[0], "alice", room)
	bob, _ := join(t, nodes[1], "bob", room)
	alice.expect("* bob joined " + room)
	inFlight := `async_server_cluster_forward_bytes_in_flight{peer="` + nodes[1].Addr + `"}`
	drops := `async_server_cluster_forward_drops_total{peer="` + nodes[1].Addr + `"}`

	nodes[1].Pause(t)
	// 3 KB each: the window (16 MiB) holds under 5 000; say 8 000.
	const n, chunk = 8000, 100
	text := func(i int) string { return fmt.Sprintf("%05d ", i) + strings.Repeat("x", 3000) }
	for i := 0; i < n; i += chunk {
		lines := make([]string, chunk)
		for j := range lines {
			lines[j] = text(i + j)
		}
		alice.send(lines...)
		if v, err := nodes[0].Metric(inFlight); err == nil && v > cluster.SendWindow {
			t.Fatalf("after %d lines: A's %s = %v; want at most %d", i+chunk, inFlight, v, cluster.SendWindow)
		}
	}
	// /who waits until every line said before it has reached the room.
	alice.send("/who")
	alice.expect("* in " + room + ": alice, bob")
	if v, err := nodes[0].Metric(inFlight); err != nil || v > cluster.SendWindow {
		t.Fatalf("A's %s = %v (%v); want at most %d", inFlight, v, err, cluster.SendWindow)
	}
	if v, err := nodes[0].Metric(drops); err != nil || v < 1 {
		t.Fatalf("A's %s = %v (%v); want some lines to bob dropped", drops, v, err)
	}

	nodes[1].Resume(t)
	// A full window takes nothing more until half of it is acknowledged.
	clustertest.WaitFor(t, "B to acknowledge what A sent it", waitLine, func() bool {
		v, err := nodes[0].Metric(inFlight)
		return err == nil && v <= cluster.SendWindow/2
	})
	alice.send("after")
	prefix := "[" + room + "] alice: "
	next := 0
	for {
		got, ok := strings.CutPrefix(bob.read(), prefix)
		if !ok {
			t.Fatalf("bob read %.40q; want alice's lines", got)
		}
		if got == "after" {
			break
		}
		if i, err := strconv.Atoi(got[:5]); err != nil || i != next || got != text(i) {
			t.Fatalf("bob read line %.5s (%d bytes); want %05d, the lines A sent in order", got, len(got), next)
		}
		next++
	}
	if next == 0 || next >= n {
		t.Fatalf("bob read %d of the %d lines before after; want the ones within the window, not all", next, n)
	}
}
