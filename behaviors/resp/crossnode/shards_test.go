package crossnode_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/cluster/clustertest"
)

// TestShardEdgesAcrossNodes runs the resp behavior on two nodes, A and B,
// and checks the shards' edges on one node set (each subtest leaves it as
// it found it, but the last): a shard router that fails answers what it
// held, and what it had in flight, at once; values past gRPC's default
// 4 MiB cross nodes; -maxmemory holds per node over the shards it hosts.
func TestShardEdgesAcrossNodes(t *testing.T) {
	bin := clustertest.Build(t)
	// A request timeout well past the test's waits: a reply before it is
	// the router's own, not a timeout's.
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "resp", Nodes: 2,
		Args: []string{"-cluster-request-timeout", "10s"}})
	clustertest.WaitFormed(t, nodes)
	a, b := nodes[0], nodes[1]

	t.Run("RouterCrash", func(t *testing.T) { routerCrash(t, nodes, a, b) })
	t.Run("LargeValues", func(t *testing.T) { largeValues(t, nodes, a, b) })
	// Last: it leaves B without a shard router.
	t.Run("RouterStopped", func(t *testing.T) { routerStopped(t, b) })
}

// routerCrash: A's shard router fails (a fault through POST /faults) while
// a GET of a key on B's shard is held (B is stopped: the router waits for
// the grain's PID), then while one is in flight (the router has sent it to
// the grain on the stopped B). Each gets its error at once, not at the
// request timeout: TRYAGAIN for the one never sent, CLUSTERDOWN (may or
// may not have run) for the one in flight; later GETs are served.
func routerCrash(t *testing.T, nodes []*clustertest.Node, a, b *clustertest.Node) {
	key := keyOn(t, nodes, b)
	ca := client(t, a)
	for _, tc := range []struct {
		name, want string
	}{
		// A's router has never looked for the shard: it waits for its PID.
		{"held", "TRYAGAIN the node's shard router restarted before it sent the command to shard "},
		// It has the PID now (the GET below): the batch is sent.
		{"in flight", "CLUSTERDOWN shard "},
	} {
		b.Signal(t, syscall.SIGSTOP)
		resumed := false
		resume := func() {
			if !resumed {
				resumed = true
				b.Signal(t, syscall.SIGCONT)
			}
		}
		defer resume() // a failure below must not leave B stopped for the next subtests
		got := make(chan error, 1)
		go func() { got <- ca.Get(ctx(t), key).Err() }()
		clustertest.WaitFor(t, "A's shard router to hold the GET", waitReply, func() bool {
			if len(got) > 0 {
				tree, _ := a.Get("/tree")
				st, _ := os.ReadFile("/proc/" + strconv.Itoa(b.Pid()) + "/stat")
				t.Fatalf("GET %s %s with B stopped was answered before the fault: %v\nB: %s\nA's tree: %s", key, tc.name, <-got, st, tree[max(0, len(tree)-3000):])
			}
			return owed(a) == 1
		})
		inject(t, a, "shards", "Internal")
		err := <-got
		resume()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Fatalf("GET %s %s when A's shard router failed: %v; want %q...", key, tc.name, err, tc.want)
		}
		if tc.name == "in flight" && !strings.HasSuffix(err.Error(), "the node's shard router restarted while the command was in flight; the command may or may not have run") {
			t.Fatalf("GET %s in flight when A's shard router failed: %v; want it to say the router restarted", key, err)
		}
		if err := ca.Get(ctx(t), key).Err(); err != redis.Nil {
			t.Fatalf("GET %s after the router's restart: %v; want nil (served)", key, err)
		}
		if n := owed(a); n != 0 {
			t.Fatalf("A's shard router owes %v batches after its restart and a GET; want 0", n)
		}
	}
}

// largeValues: requests and replies past gRPC's default 4 MiB message
// cross nodes: on A, with the keys in B's shard, a SET of 5 MiB and its
// GET, a MULTI/EXEC with both, an LRANGE of 6 MiB, and GETs of 5 MiB from
// 8 clients at once (remote sends B's replies to A, queued together, as one
// gRPC message). Before, the SET was refused ('request over 1048576
// bytes'), and replies under that, queued together past 4 MiB, were lost
// with the batch gRPC refused.
func largeValues(t *testing.T, nodes []*clustertest.Node, a, b *clustertest.Node) {
	tag := "{" + keyOn(t, nodes, b) + "}"
	ca := client(t, a)
	t.Cleanup(func() { ca.Del(context.Background(), tag+"big", tag+"tx", tag+"list") })
	big := strings.Repeat("v", 5<<20)
	if err := ca.Set(ctx(t), tag+"big", big, 0).Err(); err != nil {
		t.Fatalf("SET of 5 MiB on A, its shard on B: %v", err)
	}
	if got, err := ca.Get(ctx(t), tag+"big").Result(); err != nil || got != big {
		t.Fatalf("GET of 5 MiB on A: %d bytes, %v; want the value", len(got), err)
	}
	cmds, err := ca.TxPipelined(ctx(t), func(p redis.Pipeliner) error {
		p.Set(ctx(t), tag+"tx", big, 0)
		p.Get(ctx(t), tag+"tx")
		return nil
	})
	if err != nil || cmds[1].(*redis.StringCmd).Val() != big {
		t.Fatalf("MULTI SET GET EXEC of 5 MiB on A: %v", err)
	}
	part := strings.Repeat("l", 2<<20)
	if err := ca.RPush(ctx(t), tag+"list", part, part, part).Err(); err != nil {
		t.Fatalf("RPUSH of 3 x 2 MiB on A: %v", err)
	}
	if got, err := ca.LRange(ctx(t), tag+"list", 0, -1).Result(); err != nil || len(got) != 3 || got[2] != part {
		t.Fatalf("LRANGE of 6 MiB on A: %d elements, %v", len(got), err)
	}
	const clients = 8
	errs := make(chan error, clients)
	for range clients {
		c := client(t, a)
		go func() {
			got, err := c.Get(ctx(t), tag+"big").Result()
			if err == nil && got != big {
				err = fmt.Errorf("%d bytes; want %d", len(got), len(big))
			}
			errs <- err
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Fatalf("GET of 5 MiB on A, %d clients at once: %v", clients, err)
		}
	}
}

// routerStopped: B's shard router fails 4 times in 10 s and is stopped for
// good (the services' restart budget is 3): B's key commands then get
// CLUSTERDOWN naming the router, not the key space's error.
func routerStopped(t *testing.T, b *clustertest.Node) {
	for range 4 {
		inject(t, b, "shards", "Internal")
	}
	cb := client(t, b)
	const want = "CLUSTERDOWN the node's shard router has stopped: it failed too often; see the server log"
	var err error
	clustertest.WaitFor(t, "B's GET refused for its stopped router", waitReply, func() bool {
		err = cb.Get(ctx(t), "k").Err()
		return err != nil && err.Error() == want
	})
}

// owed is how many batches node's shard router owes an answer (-1 when
// its metrics do not say).
func owed(node *clustertest.Node) float64 {
	v, err := node.Metric("async_server_resp_shard_batches_owed")
	if err != nil {
		return -1
	}
	return v
}

// adminClient bounds a request to a node's admin endpoint.
var adminClient = &http.Client{Timeout: waitReply}

// inject posts a fault for target to node's admin endpoint.
func inject(t testing.TB, node *clustertest.Node, target, category string) {
	t.Helper()
	body := `{"target": "` + target + `", "category": "` + category + `"}`
	resp, err := adminClient.Post("http://"+node.Admin+"/faults", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST /faults %s: %v", body, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /faults %s: status %d; want 202", body, resp.StatusCode)
	}
}
