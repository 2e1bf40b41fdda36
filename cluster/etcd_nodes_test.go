package cluster_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"async_server/cluster/clustertest"
)

// TestEtcdNodes runs three nodes whose membership is in etcd (real
// processes, a real etcd): they form; a node stalled past its lease
// (SIGSTOP, then SIGCONT) exits with status 3 on waking, saying why, and the
// others drop it; a node that leaves (SIGTERM) is dropped at once; a node
// that cannot reach etcd at start exits with status 3 within the 5 s it
// waits. Skipped where etcd is not installed.
func TestEtcdNodes(t *testing.T) {
	etcd := clustertest.StartEtcd(t)
	bin := clustertest.BuildWithoutRace(t) // a member leaves: protoactor's BlockList races (BuildWithoutRace)
	// 2 s: a node fences itself after 1.5 s without an acknowledged
	// keep-alive, and exits; with 1 s a loaded machine stalled nodes that
	// long before the test stalled any.
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Etcd: []string{etcd.URL}, Args: []string{"-lease-ttl", "2s"}})

	t.Run("Formation", func(t *testing.T) {
		clustertest.WaitFormed(t, nodes)
		for _, n := range nodes {
			if v, err := n.Metric("async_server_cluster_members"); err != nil || v != 3 {
				t.Errorf("node %s: %v members (%v); want 3", n.Addr, v, err)
			}
		}
	})

	t.Run("LeaseLost", func(t *testing.T) {
		clustertest.WaitFormed(t, nodes)
		stalled, peers := nodes[2], nodes[:2]
		stalled.Pause(t) // returns once every thread has stopped: the stall has begun
		// The others drop it once its 2 s lease expires.
		for _, p := range peers {
			clustertest.WaitFor(t, "peer "+p.Addr+" to drop the stalled node", 10*time.Second, func() bool {
				v, err := p.Metric("async_server_cluster_members")
				return err == nil && v == 2
			})
		}
		stalled.Resume(t)
		if code := stalled.Wait(t, 10*time.Second); code != 3 {
			t.Fatalf("the stalled node exited with status %d; want 3; stderr:\n%s", code, stalled.Stderr())
		}
		if !strings.Contains(stalled.Stderr(), "cluster membership lost") {
			t.Errorf("its standard error does not say why:\n%s", stalled.Stderr())
		}
	})

	t.Run("GracefulLeave", func(t *testing.T) {
		// SIGTERM: the node revokes its lease as it leaves, so the last
		// node drops it at once, not as the lease expires: the lease is
		// renewed every quarter of its 2 s TTL, so an expiry comes 1.5 s
		// to 2 s after the exit. The bound sits below that, with what room
		// a loaded machine needs above "at once".
		leaver, last := nodes[1], nodes[0]
		leaver.Signal(t, syscall.SIGTERM)
		if code := leaver.Wait(t, 10*time.Second); code != 0 {
			t.Fatalf("exit status %d; want 0; stderr:\n%s", code, leaver.Stderr())
		}
		exited := time.Now()
		clustertest.WaitFor(t, "the last node to drop it", 5*time.Second, func() bool {
			v, err := last.Metric("async_server_cluster_members")
			return err == nil && v == 1
		})
		if took := time.Since(exited); took > 1200*time.Millisecond {
			t.Errorf("the last node dropped the leaver %v after its exit; want it before its lease could expire (1.5 s)", took)
		}
	})

	t.Run("Unreachable", func(t *testing.T) {
		addrs := clustertest.FreeAddrs(t, 2)
		gone := addrs[0] // nothing listens there
		began := time.Now()
		code, stderr := clustertest.RunOnce(t, bin, 15*time.Second, "-behavior", "chat", "-port", "0",
			"-cluster", "test", "-node-addr", addrs[1], "-etcd", "http://"+gone)
		if code != 3 || !strings.Contains(stderr, "etcd unreachable") {
			t.Errorf("exit status %d, stderr %q; want 3 and a line saying etcd is unreachable", code, stderr)
		}
		if took := time.Since(began); took > 10*time.Second {
			t.Errorf("took %v to give up; want about 5 s", took)
		}
	})
}
