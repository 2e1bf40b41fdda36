package crossnode_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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
	t.Run("MaxMemory", func(t *testing.T) { maxMemory(t, nodes, a, b) })
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
		b.Pause(t)
		resumed := false
		resume := func() {
			if !resumed {
				resumed = true
				b.Resume(t)
			}
		}
		defer resume() // a failure below must not leave B stopped for the next subtests
		got := make(chan error, 1)
		go func() { got <- ca.Get(ctx(t), key).Err() }()
		clustertest.WaitFor(t, "A's shard router to hold the GET", waitReply, func() bool {
			if len(got) > 0 {
				tree, _ := a.Get("/tree")
				t.Fatalf("GET %s %s with B stopped was answered before the fault: %v\nA's tree: %s", key, tc.name, <-got, tree[max(0, len(tree)-3000):])
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

// maxMemory: -maxmemory (CONFIG SET on each node) holds per node, over the
// shards it hosts together, as each Redis Cluster primary's over its keys.
// Under noeviction, once A's shard s1 has filled A's limit a SET in another
// of A's shards is refused with OOM, while one in B's shard is served;
// INFO memory's used_memory is the node's shards' data. Under allkeys-lru
// the SET in A's empty shard is served and A's full shard evicts (INFO
// stats' evicted_keys counts it), down to A's limit by its next command. Before, each shard
// had the whole limit to itself and INFO counted none of the shards.
func maxMemory(t *testing.T, nodes []*clustertest.Node, a, b *clustertest.Node) {
	const limit = 2_000_000
	ca, cb := client(t, a), client(t, b)
	onA, onB := shardsOn(nodes, a), shardsOn(nodes, b)
	full, empty, far := keyIn(t, onA[0], "mm"), keyIn(t, onA[1], "mm"), keyIn(t, onB[0], "mm")
	var keys []string
	t.Cleanup(func() {
		for _, c := range []*redis.Client{ca, cb} {
			c.ConfigSet(context.Background(), "maxmemory", "0")
			c.ConfigSet(context.Background(), "maxmemory-policy", "noeviction")
		}
		for _, k := range keys {
			ca.Del(context.Background(), k)
		}
	})
	for _, c := range []*redis.Client{ca, cb} {
		if err := c.ConfigSet(ctx(t), "maxmemory", strconv.Itoa(limit)).Err(); err != nil {
			t.Fatalf("CONFIG SET maxmemory: %v", err)
		}
	}
	val := strings.Repeat("m", 400_000)
	set := func(key string) error {
		keys = append(keys, key)
		return ca.Set(ctx(t), key, val, 0).Err()
	}
	n := 0
	for ; n < 10; n++ {
		err := set("{" + full + "}" + strconv.Itoa(n))
		if err != nil && strings.HasPrefix(err.Error(), "OOM ") {
			break
		}
		if err != nil {
			t.Fatalf("SET %d of 400 KB in A's shard %d: %v", n, onA[0], err)
		}
	}
	if n < 5 || n == 10 {
		t.Fatalf("A's shard %d took %d values of 400 KB under maxmemory %d; want 5 (then OOM)", onA[0], n, limit)
	}
	if err := set(empty); err == nil || !strings.HasPrefix(err.Error(), "OOM ") {
		t.Fatalf("SET in A's shard %d, with A's shard %d at A's limit: %v; want OOM (A's limit is over all its shards)", onA[1], onA[0], err)
	}
	// As on one node, MULTI queues nothing while the node is stuck over its
	// limit (EXEC is then refused).
	got := rawExchange(t, a, "MULTI\r\nSET "+empty+" x\r\nEXEC\r\n", 3)
	if got[0] != "+OK" || !strings.HasPrefix(got[1], "-OOM ") || !strings.HasPrefix(got[2], "-EXECABORT ") {
		t.Fatalf("MULTI, SET in A's shard %d, EXEC with A at its limit: %q; want +OK, -OOM ..., -EXECABORT ...", onA[1], got)
	}
	if err := set(far); err != nil {
		t.Fatalf("SET in B's shard %d, from A: %v; want it served (B is under its limit)", onB[0], err)
	}
	if used := infoInt(t, ca, "memory", "used_memory"); used < limit {
		t.Fatalf("INFO memory on A: used_memory %d; want at least %d (its shards' data)", used, limit)
	}
	if used := infoInt(t, cb, "memory", "used_memory"); used < 400_000 || used > limit/2 {
		t.Fatalf("INFO memory on B: used_memory %d; want one value of 400 KB and its key", used)
	}

	if err := ca.ConfigSet(ctx(t), "maxmemory-policy", "allkeys-lru").Err(); err != nil {
		t.Fatalf("CONFIG SET maxmemory-policy on A: %v", err)
	}
	if err := set(empty); err != nil {
		t.Fatalf("SET in A's empty shard %d under allkeys-lru: %v; want it served (the node's other shards evict)", onA[1], err)
	}
	// The full shard evicts when asked, before or after the SET's value
	// counts (a command may take the data past the limit, as in Redis):
	// its next command evicts what is left over.
	clustertest.WaitFor(t, "A's full shard to evict", waitReply, func() bool {
		return infoInt(t, ca, "stats", "evicted_keys") >= 1
	})
	if err := ca.Set(ctx(t), "{"+full+"}small", "x", 0).Err(); err != nil {
		t.Fatalf("SET of a small value in A's full shard: %v", err)
	}
	keys = append(keys, "{"+full+"}small")
	if used := infoInt(t, ca, "memory", "used_memory"); used > limit {
		t.Fatalf("INFO memory on A after evictions: used_memory %d; want at most %d", used, limit)
	}
	if got, err := ca.Get(ctx(t), empty).Result(); err != nil || got != val {
		t.Fatalf("GET of the value just set in A's shard %d: %d bytes, %v; want it kept (the full shard evicts)", onA[1], len(got), err)
	}
}

// shardsOn returns the shards node hosts.
func shardsOn(nodes []*clustertest.Node, node *clustertest.Node) []int {
	var shards []int
	for shard := range 16 {
		if ownerOf(nodes, strconv.Itoa(shard)) == node.Addr {
			shards = append(shards, shard)
		}
	}
	return shards
}

// infoInt reads field of INFO section from c as an integer.
func infoInt(t testing.TB, c *redis.Client, section, field string) int64 {
	t.Helper()
	info, err := c.Info(ctx(t), section).Result()
	if err != nil {
		t.Fatalf("INFO %s: %v", section, err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s: %s: %v", section, line, err)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s:\n%s", section, field, info)
	return 0
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
