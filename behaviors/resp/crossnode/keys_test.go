package crossnode_test

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/redis/go-redis/v9"

	"async_server/behaviors/resp"
	"async_server/cluster/clustertest"
)

// TestKeysAcrossNodes runs the resp behavior on three nodes (a static member
// list): the key space is 16 shard grains spread over them. A SET on one
// node is read on the others; keys in two slots are refused together
// (CROSSSLOT) and a hash tag co-locates them; DBSIZE and INFO keyspace count
// the keys of the shards each node hosts; a transaction runs within one
// slot; and SIGKILL of a node that hosts shards loses their keys (they come
// back empty with the node), the others' intact.
func TestKeysAcrossNodes(t *testing.T) {
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "resp"})
	clustertest.WaitFormed(t, nodes)
	a, b, c := client(t, nodes[0]), client(t, nodes[1]), client(t, nodes[2])

	// One key per shard, so every node hosts some of them.
	keys := make([]string, 16)
	for shard := range keys {
		keys[shard] = keyIn(t, shard, "k")
	}
	for _, k := range keys {
		if err := a.Set(ctx(t), k, "v-"+k, 0).Err(); err != nil {
			t.Fatalf("SET %s on A: %v", k, err)
		}
	}
	for name, cl := range map[string]*redis.Client{"B": b, "C": c} {
		for _, k := range keys {
			if got, err := cl.Get(ctx(t), k).Result(); err != nil || got != "v-"+k {
				t.Fatalf("GET %s on %s: %q, %v; want v-%s", k, name, got, err, k)
			}
		}
	}
	checkNodeCounts(t, nodes, keys)

	// Keys in two slots: CROSSSLOT; with a hash tag: one slot, served.
	if err := a.MSet(ctx(t), keys[0], "x", keys[1], "y").Err(); err == nil || !strings.HasPrefix(err.Error(), "CROSSSLOT Keys in request don't hash to the same slot") {
		t.Fatalf("MSET across shards: %v; want CROSSSLOT", err)
	}
	if err := b.MSet(ctx(t), "{user1}.name", "ann", "{user1}.mail", "ann@x").Err(); err != nil {
		t.Fatalf("MSET with a hash tag on B: %v", err)
	}
	if got, err := c.MGet(ctx(t), "{user1}.name", "{user1}.mail").Result(); err != nil || fmt.Sprint(got) != "[ann ann@x]" {
		t.Fatalf("MGET with a hash tag on C: %v, %v", got, err)
	}

	// A transaction within one slot runs; across slots EXEC is refused.
	cmds, err := c.TxPipelined(ctx(t), func(p redis.Pipeliner) error {
		p.Incr(ctx(t), "{tx}.n")
		p.Incr(ctx(t), "{tx}.n")
		return nil
	})
	if err != nil || cmds[1].(*redis.IntCmd).Val() != 2 {
		t.Fatalf("MULTI INCR INCR EXEC on C: %v", err)
	}
	if _, err := c.TxPipelined(ctx(t), func(p redis.Pipeliner) error {
		p.Incr(ctx(t), keys[0])
		p.Incr(ctx(t), keys[1])
		return nil
	}); err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Fatalf("EXEC across slots: %v; want CROSSSLOT", err)
	}

	// What one shard cannot do alone is refused; INFO stays node-local.
	for _, tc := range []struct {
		args []any
		want string
	}{
		{[]any{"watch", keys[0]}, "ERR WATCH is not supported in cluster mode here"},
		{[]any{"blpop", keys[0], "1"}, "ERR blocking commands ('blpop') are not supported in cluster mode here"},
		{[]any{"keys", "*"}, "ERR 'keys' has no key: not supported in cluster mode (the keys are spread over shards)"},
		{[]any{"rename", keys[0], keys[1]}, "CROSSSLOT Keys in request don't hash to the same slot"},
		// SORT's BY and GET patterns name keys that may be in other slots.
		{[]any{"sort", keys[0], "by", "w_*"}, "ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots."},
		{[]any{"sort_ro", keys[0], "get", "#", "get", "g_*"}, "ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots."},
	} {
		if err := b.Do(ctx(t), tc.args...).Err(); err == nil || err.Error() != tc.want {
			t.Fatalf("%v on B: %v; want %q", tc.args, err, tc.want)
		}
	}
	// SORT's patterns with the key's hash tag are in its slot; BY nosort and
	// GET # name no key.
	if err := b.RPush(ctx(t), "{s}l", "2", "1").Err(); err != nil {
		t.Fatalf("RPUSH {s}l on B: %v", err)
	}
	if err := b.MSet(ctx(t), "{s}w_1", "9", "{s}w_2", "5", "{s}g_1", "one", "{s}g_2", "two").Err(); err != nil {
		t.Fatalf("MSET {s}... on B: %v", err)
	}
	for _, tc := range []struct {
		args []any
		want string
	}{
		{[]any{"sort", "{s}l", "by", "{s}w_*", "get", "#", "get", "{s}g_*"}, "[2 two 1 one]"},
		{[]any{"sort", "{s}l", "by", "nosort", "get", "#"}, "[2 1]"},
	} {
		if got, err := c.Do(ctx(t), tc.args...).Result(); err != nil || fmt.Sprint(got) != tc.want {
			t.Fatalf("%v on C: %v, %v; want %s", tc.args, got, err, tc.want)
		}
	}
	// A reply past 1 MiB crosses (TestShardEdgesAcrossNodes has larger ones).
	half := strings.Repeat("x", 600<<10)
	for range 2 {
		if err := b.Append(ctx(t), "{big}", half).Err(); err != nil {
			t.Fatalf("APPEND of 600 KiB on B: %v", err)
		}
	}
	if n, err := b.StrLen(ctx(t), "{big}").Result(); err != nil || n != 1200<<10 {
		t.Fatalf("STRLEN {big}: %d, %v", n, err)
	}
	if got, err := b.Get(ctx(t), "{big}").Result(); err != nil || got != half+half {
		t.Fatalf("GET of 1.2 MB on B: %d bytes, %v; want the value", len(got), err)
	}
	if info, err := b.Info(ctx(t), "server").Result(); err != nil || !strings.Contains(info, "redis_version") {
		t.Fatalf("INFO server on B: %v", err)
	}

	// SIGKILL of C: the shards it hosted come back empty with it; the others
	// keep their keys.
	// The victim is C, or B if C happens to host no shard (or all).
	var victim *clustertest.Node
	var lost map[string]bool
	for _, v := range []*clustertest.Node{nodes[2], nodes[1]} {
		victim, lost = v, map[string]bool{}
		for shard, k := range keys {
			lost[k] = ownerOf(nodes, strconv.Itoa(shard)) == v.Addr
		}
		if n := countTrue(lost); n > 0 && n < len(keys) {
			break
		}
	}
	if n := countTrue(lost); n == 0 || n == len(keys) {
		t.Fatalf("node %s hosts %d of the %d shards; the test needs some, not all", victim.Addr, n, len(keys))
	}
	stallShards(t, nodes, victim, keys, lost, a, b)

	victim.Signal(t, syscall.SIGKILL)
	victim.Wait(t, waitReply)
	for _, k := range keys {
		if !lost[k] {
			continue
		}
		start := time.Now()
		err := a.Get(ctx(t), k).Err()
		if err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN shard") {
			log := nodes[0].Log(t)
			t.Fatalf("GET %s (its shard's node is dead) on A: %v; want CLUSTERDOWN; A's log ends:\n%s", k, err, log[max(0, len(log)-6000):])
		}
		t.Logf("GET %s with its node dead: %q after %v", k, err, time.Since(start).Round(time.Millisecond))
		// EXEC's one reply is the error: the next reply is PING's.
		got := rawExchange(t, nodes[0], "MULTI\r\nINCR "+k+"\r\nEXEC\r\nPING\r\n", 4)
		if got[0] != "+OK" || got[1] != "+QUEUED" || !strings.HasPrefix(got[2], "-CLUSTERDOWN shard") || got[3] != "+PONG" {
			t.Fatalf("MULTI, INCR %s, EXEC, PING with its node dead: %q; want +OK, +QUEUED, -CLUSTERDOWN ..., +PONG", k, got)
		}
		break
	}
	victim.Restart(t)
	clustertest.WaitFormed(t, nodes)
	c = client(t, victim)
	for _, k := range keys {
		if !lost[k] {
			if got, err := c.Get(ctx(t), k).Result(); err != nil || got != "v-"+k {
				t.Fatalf("GET %s on the restarted node: %q, %v; want v-%s (its shard was elsewhere)", k, got, err, k)
			}
			continue
		}
		var err error
		clustertest.WaitFor(t, "GET "+k+" answered again", waitReply, func() bool {
			err = a.Get(ctx(t), k).Err()
			return err == nil || err == redis.Nil
		})
		if err != redis.Nil {
			t.Fatalf("GET %s after its node came back: %v; want nil (the shard comes back empty)", k, err)
		}
	}
}

// stall is how long stallShards stops a node: the scenario. With a
// static member list nothing of the cluster's times out between the request
// timeout (1 s) and 10 s, so 5 s shows what 2 s would, and more.
const stall = 5 * time.Second

// stallShards stops victim (SIGSTOP) for stall, then lets it go on
// (SIGCONT): with a static member list nothing moves. A GET of a key in one
// of its shards answers CLUSTERDOWN meanwhile (after the request timeout);
// once it goes on, every key is read again on A and B, those of its shards
// included (not emptied: no shard was activated anywhere else), and no two
// nodes' lives of a shard overlap.
func stallShards(t *testing.T, nodes []*clustertest.Node, victim *clustertest.Node, keys []string, lost map[string]bool, a, b *redis.Client) {
	t.Helper()
	var onVictim string
	for _, k := range keys {
		if lost[k] {
			onVictim = k
			break
		}
	}
	victim.Pause(t)
	stopped := time.Now()
	err := a.Get(ctx(t), onVictim).Err()
	if err == nil || !strings.HasPrefix(err.Error(), "CLUSTERDOWN shard") {
		t.Fatalf("GET %s (its shard's node stalled) on A: %v; want CLUSTERDOWN", onVictim, err)
	}
	t.Logf("GET %s with its node stalled: %q after %v", onVictim, err, time.Since(stopped).Round(time.Millisecond))
	time.Sleep(time.Until(stopped.Add(stall))) // the scenario: a stall this long
	victim.Resume(t)
	resumed := time.Now()
	if got, err := a.Get(ctx(t), onVictim).Result(); err != nil || got != "v-"+onVictim {
		t.Fatalf("GET %s on A after SIGCONT: %q, %v; want v-%s (nothing moved)", onVictim, got, err, onVictim)
	}
	t.Logf("GET %s answered again %v after SIGCONT", onVictim, time.Since(resumed).Round(time.Microsecond))
	for name, cl := range map[string]*redis.Client{"A": a, "B": b} {
		for _, k := range keys {
			if got, err := cl.Get(ctx(t), k).Result(); err != nil || got != "v-"+k {
				t.Fatalf("GET %s on %s after the stall: %q, %v; want v-%s (its shard kept its keys)", k, name, got, err, k)
			}
		}
	}
	lives := clustertest.GrainLives(t, nodes)
	for shard := range keys {
		grain := resp.ShardKind + "/" + strconv.Itoa(shard)
		if got := clustertest.LivesOf(lives, grain); len(got) != 1 || got[0].Node != ownerOf(nodes, strconv.Itoa(shard)) {
			t.Errorf("shard %s lived %+v; want once, on its owner", grain, got)
		}
	}
	for _, o := range clustertest.Overlaps(lives) {
		t.Errorf("two lives of one grain at once: %s", o)
	}
}

// keyIn returns a key, prefix followed by a number, that shard holds.
func keyIn(t testing.TB, shard int, prefix string) string {
	t.Helper()
	for i := range 100000 {
		if k := prefix + strconv.Itoa(i); resp.ShardOfKey(k) == shard {
			return k
		}
	}
	t.Fatalf("no key %sN in shard %d", prefix, shard)
	return ""
}

// ownerOf is the node that hosts the shard grain identity (rendezvous
// hashing over the static member list, as disthash places it).
func ownerOf(nodes []*clustertest.Node, identity string) string {
	rdv := pcluster.NewRendezvous()
	ms := make(pcluster.Members, 0, len(nodes))
	for _, n := range nodes {
		ap := netip.MustParseAddrPort(n.Addr)
		ms = append(ms, &pcluster.Member{Id: n.Addr, Host: ap.Addr().String(), Port: int32(ap.Port()),
			Kinds: []string{resp.ShardKind}})
	}
	rdv.UpdateMembers(ms)
	return rdv.GetByClusterIdentity(pcluster.NewClusterIdentity(identity, resp.ShardKind))
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// rawExchange sends in (inline commands) to node n on a connection of its
// own and reads n simple replies (one line each).
func rawExchange(t testing.TB, node *clustertest.Node, in string, n int) []string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", node.Listen, waitReply)
	if err != nil {
		t.Fatalf("dial %s: %v", node.Listen, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitReply))
	if _, err := conn.Write([]byte(in)); err != nil {
		t.Fatalf("write: %v", err)
	}
	r := bufio.NewReader(conn)
	out := make([]string, n)
	for i := range out {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading reply %d of %d (have %q): %v", i+1, n, out[:i], err)
		}
		out[i] = strings.TrimRight(line, "\r\n")
	}
	return out
}
