package crossnode_test

import (
	"strconv"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/cluster/clustertest"
)

// TestKeysMembershipChange runs the resp behavior on three nodes with etcd
// membership: C leaves (SIGTERM), keys are set with A and B alone, and C
// joins again. The shards that rendezvous hashing now places on C move
// there, empty (disthash hands nothing over), and every node uses the moved
// shard's new grain (each node's router forgets the grains it found when
// the member list changes); the other shards keep their keys.
func TestKeysMembershipChange(t *testing.T) {
	etcd := clustertest.StartEtcd(t)
	bin := clustertest.BuildWithoutRace(t) // a member leaves: protoactor's BlockList races
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "resp", Etcd: []string{etcd.URL}, Args: []string{"-lease-ttl", "1s"}})
	clustertest.WaitFormed(t, nodes)
	victim := nodes[2]
	victim.Signal(t, syscall.SIGTERM)
	victim.Wait(t, waitReply)
	for _, n := range nodes[:2] {
		clustertest.WaitFor(t, "node "+n.Addr+" to see 2 members", waitReply, func() bool {
			v, err := n.Metric("async_server_cluster_members_up")
			return err == nil && v == 2
		})
	}
	a, b := client(t, nodes[0]), client(t, nodes[1])
	keys := make([]string, 16)
	moved := map[string]bool{}
	for shard := range keys {
		k := keyIn(t, shard, "m")
		keys[shard] = k
		moved[k] = ownerOf(nodes, strconv.Itoa(shard)) == victim.Addr
		if err := a.Set(ctx(t), k, "v", 0).Err(); err != nil {
			t.Fatalf("SET %s on A: %v", k, err)
		}
		if got, err := b.Get(ctx(t), k).Result(); err != nil || got != "v" {
			t.Fatalf("GET %s on B: %q, %v", k, got, err)
		}
	}
	if n := countTrue(moved); n == 0 || n == len(keys) {
		t.Fatalf("%d of %d shards move to C; the test needs some, not all", n, len(keys))
	}

	victim.Restart(t)
	clustertest.WaitFormed(t, nodes)
	c := client(t, victim)
	for _, k := range keys {
		for name, cl := range map[string]*redis.Client{"A": a, "B": b, "C": c} {
			if !moved[k] {
				if got, err := cl.Get(ctx(t), k).Result(); err != nil || got != "v" {
					t.Fatalf("GET %s on %s: %q, %v; want v (its shard did not move)", k, name, got, err)
				}
				continue
			}
			clustertest.WaitFor(t, "GET "+k+" on "+name+" to read the moved shard (nil)", waitReply, func() bool {
				return cl.Get(ctx(t), k).Err() == redis.Nil
			})
		}
	}
}
