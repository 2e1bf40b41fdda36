package crossnode_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"async_server/cluster"
	"async_server/cluster/clustertest"
)

// TestPublishWindow ensures a node that stalls cannot make another hold
// every publication meanwhile (before, the publishing node queued all of
// them for the stopped one, without bound): with B stopped (SIGSTOP), A
// forwards PUBLISHes to B only within B's send window, never counting more
// than the window in flight, and drops the rest, counting them (its pings
// to B count in the window too); once B resumes, B's subscriber gets the
// first ones, those A sent, in order and none skipped, and then a later
// publication.
func TestPublishWindow(t *testing.T) {
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "resp", Nodes: 2})
	clustertest.WaitFormed(t, nodes)
	a, b := client(t, nodes[0]), client(t, nodes[1])
	sub := subscribe(t, b.Subscribe(ctx(t), "news"))
	inFlight := `async_server_cluster_forward_bytes_in_flight{peer="` + nodes[1].Addr + `"}`
	drops := `async_server_cluster_forward_drops_total{peer="` + nodes[1].Addr + `"}`

	nodes[1].Pause(t)
	// 64 KiB each: the window (16 MiB) holds about 250; send half as many again.
	const n, size = 400, 64 << 10
	payload := func(i int) string { return fmt.Sprintf("%04d", i) + strings.Repeat("x", size-4) }
	for i := range n {
		if err := a.Publish(ctx(t), "news", payload(i)).Err(); err != nil {
			t.Fatalf("PUBLISH %d on A: %v", i, err)
		}
		if i%20 == 19 || i == n-1 {
			if v, err := nodes[0].Metric(inFlight); err != nil || v > cluster.SendWindow {
				t.Fatalf("after %d publications: A's %s = %v (%v); want at most %d", i+1, inFlight, v, err, cluster.SendWindow)
			}
		}
	}
	dropped, err := nodes[0].Metric(drops)
	if err != nil || dropped < 1 || dropped >= n {
		t.Fatalf("A's %s = %v (%v); want some of the %d dropped, not all", drops, dropped, err, n)
	}
	// Nothing else A sends B piles up outside the window either: its pings
	// (four a second) count in it, and are dropped once it is full, so with
	// no publication the bytes in flight or the drops rise.
	before, err := nodes[0].Metric(inFlight)
	if err != nil {
		t.Fatal(err)
	}
	clustertest.WaitFor(t, "A's pings to stopped B to count in its window", waitReply, func() bool {
		v, err1 := nodes[0].Metric(inFlight)
		d, err2 := nodes[0].Metric(drops)
		return err1 == nil && err2 == nil && v <= cluster.SendWindow && (v > before || d > dropped)
	})

	nodes[1].Resume(t)
	// A full window takes nothing more until half of it is acknowledged.
	clustertest.WaitFor(t, "B to acknowledge what A sent it", waitReply, func() bool {
		v, err := nodes[0].Metric(inFlight)
		return err == nil && v <= cluster.SendWindow/2
	})
	if err := a.Publish(ctx(t), "news", "after").Err(); err != nil {
		t.Fatalf("PUBLISH after on A: %v", err)
	}
	next := 0
	for m := receive(t, sub); m.Payload != "after"; m = receive(t, sub) {
		if m.Payload != payload(next) {
			t.Fatalf("B's subscriber read message %.4s (%d bytes); want %04d, those sent within the window in order", m.Payload, len(m.Payload), next)
		}
		next++
	}
	if next == 0 || next >= n {
		t.Fatalf("B's subscriber read %d of the %d messages before after; want those within the window, not all", next, n)
	}
}

// TestPublishWindowRestart ensures a window filled for a node that then
// dies does not stay shut: the bytes in flight to it are lost and never
// acknowledged, so A empties B's window when the link ends or is made
// again, and once B is restarted under the same address, a publication on A
// reaches B's new subscriber.
func TestPublishWindowRestart(t *testing.T) {
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "resp", Nodes: 2})
	clustertest.WaitFormed(t, nodes)
	a := client(t, nodes[0])
	inFlight := `async_server_cluster_forward_bytes_in_flight{peer="` + nodes[1].Addr + `"}`
	drops := `async_server_cluster_forward_drops_total{peer="` + nodes[1].Addr + `"}`

	nodes[1].Pause(t)
	big := strings.Repeat("x", 1<<20)
	for i := 0; ; i++ { // until the window is full: 16 MiB of 1 MiB publications
		if err := a.Publish(ctx(t), "news", big).Err(); err != nil {
			t.Fatalf("PUBLISH %d on A: %v", i, err)
		}
		if v, err := nodes[0].Metric(drops); err == nil && v > 0 {
			break
		} else if i > 2*cluster.SendWindow>>20 {
			t.Fatalf("after %d publications of 1 MiB: A's %s = %v (%v); want some dropped", i+1, drops, v, err)
		}
	}
	nodes[1].Signal(t, syscall.SIGKILL)
	nodes[1].Wait(t, waitReply)
	nodes[1].Restart(t)
	clustertest.WaitFormed(t, nodes)
	// Emptied: the pings since count 512 bytes each; full, it held over
	// SendWindow less one publication of 1 MiB.
	clustertest.WaitFor(t, "A's window for B to empty", waitReply, func() bool {
		v, err := nodes[0].Metric(inFlight)
		return err == nil && v < cluster.SendWindow/2
	})
	sub := subscribe(t, client(t, nodes[1]).Subscribe(ctx(t), "news"))
	if err := a.Publish(ctx(t), "news", "again").Err(); err != nil {
		t.Fatalf("PUBLISH again on A: %v", err)
	}
	if m := receive(t, sub); m.Payload != "again" {
		t.Fatalf("B's new subscriber read %.10q (%d bytes); want again", m.Payload, len(m.Payload))
	}
}
