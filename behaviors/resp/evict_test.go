package resp_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"async_server/actors"
)

// infoField reads one field of INFO section as an integer.
func infoField(t testing.TB, rdb *redis.Client, section, field string) int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatalf("INFO %s: %v", section, err)
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s:%s", field, v)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return 0
}

// clockTick waits until the server's clock (TIME) has moved on by at least
// two milliseconds, so keys used from now on were used later than those
// used before (the key space keeps a key's time of use in milliseconds).
func clockTick(t testing.TB, rdb *redis.Client) {
	t.Helper()
	ctx := context.Background()
	start, err := rdb.Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	for {
		now, err := rdb.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		if now.Sub(start) >= 2e6 {
			return
		}
	}
}

// waitWithin waits until used_memory is at most max: the key space evicts
// for at most 500 us before each command and goes on between requests, so
// a large eviction takes a while. Each INFO is a command, evicting too.
func waitWithin(t testing.TB, rdb *redis.Client, max int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		used := usedMemory(t, rdb)
		if used <= max {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("used_memory still %d after 10 s; want at most %d", used, max)
		}
	}
}

func setPolicy(t testing.TB, rdb *redis.Client, maxmemory int64, policy string) {
	t.Helper()
	ctx := context.Background()
	if err := rdb.ConfigSet(ctx, "maxmemory-policy", policy).Err(); err != nil {
		t.Fatalf("CONFIG SET maxmemory-policy %s: %v", policy, err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", strconv.FormatInt(maxmemory, 10)).Err(); err != nil {
		t.Fatalf("CONFIG SET maxmemory %d: %v", maxmemory, err)
	}
}

// TestEvictionAllKeysLRU ensures allkeys-lru, once the limit is lowered
// below the data, evicts until used_memory is within it, counts the keys in evicted_keys, and keeps the keys used last:
// 5 keys used after 200 others survive (a sample of 5 keys evicts one of
// them only if all 5 are among them: about 1e-8 per eviction).
func TestEvictionAllKeysLRU(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	value := strings.Repeat("x", 100)
	for i := range 200 {
		rdb.Set(ctx, "cold"+strconv.Itoa(i), value, 0)
	}
	clockTick(t, rdb)
	for i := range 5 {
		rdb.Set(ctx, "hot"+strconv.Itoa(i), value, 0)
	}
	used := usedMemory(t, rdb)
	setPolicy(t, rdb, used/2, "allkeys-lru")
	waitWithin(t, rdb, used/2)
	evicted := infoField(t, rdb, "stats", "evicted_keys")
	if n := rdb.DBSize(ctx).Val(); evicted < 90 || 205-n != evicted {
		t.Fatalf("evicted_keys %d, %d keys left of 205; want about half evicted, and counted", evicted, n)
	}
	for i := range 5 {
		if rdb.Exists(ctx, "hot"+strconv.Itoa(i)).Val() != 1 {
			t.Errorf("hot%d, used after every evicted key, was evicted", i)
		}
	}
	// Writes go on: each evicts what it needs.
	for i := range 50 {
		if err := rdb.Set(ctx, "new"+strconv.Itoa(i), value, 0).Err(); err != nil {
			t.Fatalf("SET under allkeys-lru: %v", err)
		}
	}
}

// TestEvictionAllKeysLFU ensures allkeys-lfu keeps the keys used most
// often, not last: 5 keys read 50 times each (their counters 6 or more),
// then 200 keys written once (counters 5), and the 5 survive the eviction
// of half (a sample of 5 evicts a hot key only if all 5 are hot); OBJECT
// FREQ shows the counters.
func TestEvictionAllKeysLFU(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	setPolicy(t, rdb, 0, "allkeys-lfu")
	value := strings.Repeat("x", 100)
	for i := range 5 {
		rdb.Set(ctx, "hot"+strconv.Itoa(i), value, 0)
	}
	for range 50 {
		for i := range 5 {
			rdb.Get(ctx, "hot"+strconv.Itoa(i))
		}
	}
	clockTick(t, rdb) // the cold keys are used after the hot ones: LRU would evict those
	for i := range 200 {
		rdb.Set(ctx, "cold"+strconv.Itoa(i), value, 0)
	}
	if f, err := rdb.ObjectFreq(ctx, "hot0").Result(); err != nil || f < 6 {
		t.Fatalf("OBJECT FREQ of a key read 50 times: %d, %v; want 6 or more", f, err)
	}
	if f, err := rdb.ObjectFreq(ctx, "cold0").Result(); err != nil || f != 5 {
		t.Fatalf("OBJECT FREQ of a key never read: %d, %v; want 5", f, err)
	}
	used := usedMemory(t, rdb)
	setPolicy(t, rdb, used/2, "allkeys-lfu")
	waitWithin(t, rdb, used/2)
	for i := range 5 {
		if rdb.Exists(ctx, "hot"+strconv.Itoa(i)).Val() != 1 {
			t.Errorf("hot%d, read 50 times, was evicted before keys never read", i)
		}
	}
}

// TestEvictionVolatileTTL ensures volatile-ttl evicts the key with the
// nearest expiry first and never a key without one, touching the evicted
// key for WATCH; and that with no key left that it may evict, a write gets
// the OOM error (with at most 5 keys with a TTL, the sample is all of them:
// deterministic).
func TestEvictionVolatileTTL(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	for i := range 10 {
		rdb.Set(ctx, "p"+strconv.Itoa(i), "persistent", 0)
	}
	rdb.Set(ctx, "v2", "x", 200e9)
	rdb.Set(ctx, "v1", "x", 100e9)
	rdb.Set(ctx, "v3", "x", 300e9)
	watcher := dialRESP(t, srv.Addr)
	if got := string(watcher.roundTrip(t, []string{"WATCH", "v1"}, 1)); got != "+OK\r\n" {
		t.Fatalf("WATCH: %q", got)
	}
	setPolicy(t, rdb, usedMemory(t, rdb)-1, "volatile-ttl")
	if got := rdb.Exists(ctx, "v1", "v2", "v3").Val(); got != 2 {
		t.Fatalf("EXISTS v1 v2 v3 = %d after one eviction; want 2", got)
	}
	if rdb.Exists(ctx, "v1").Val() != 0 {
		t.Fatal("v1, the nearest expiry, was not the key evicted")
	}
	watcher.roundTrip(t, []string{"MULTI"}, 1)
	watcher.roundTrip(t, []string{"PING"}, 1)
	if got := string(watcher.roundTrip(t, []string{"EXEC"}, 1)); got != "*-1\r\n" {
		t.Fatalf("EXEC after the watched key was evicted: %q; want the null array", got)
	}
	setPolicy(t, rdb, 1, "volatile-ttl")
	err := rdb.Set(ctx, "more", "x", 0).Err()
	if err == nil || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("SET with only keys without a TTL left: %v; want OOM", err)
	}
	if got := rdb.DBSize(ctx).Val(); got != 10 {
		t.Fatalf("DBSIZE %d; want the 10 keys without a TTL", got)
	}
	if got := infoField(t, rdb, "stats", "evicted_keys"); got != 3 {
		t.Fatalf("evicted_keys %d; want 3", got)
	}
}

// TestEvictionVolatileLRU ensures volatile-lru evicts the key with a TTL
// used longest ago, not one used since, nor one without a TTL.
func TestEvictionVolatileLRU(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 3)
	ctx := context.Background()
	rdb.Set(ctx, "old", "persistent", 0)
	for _, k := range []string{"v1", "v2", "v3"} {
		rdb.Set(ctx, k, "x", 100e9)
	}
	clockTick(t, rdb)
	rdb.Get(ctx, "v1")
	rdb.Get(ctx, "v3")
	setPolicy(t, rdb, usedMemory(t, rdb)-1, "volatile-lru")
	if got := rdb.Exists(ctx, "old", "v1", "v3").Val(); got != 3 {
		t.Fatalf("EXISTS old v1 v3 = %d; want 3 (v2, used longest ago, evicted)", got)
	}
	if got := rdb.Exists(ctx, "v2").Val(); got != 0 {
		t.Fatal("v2 was not evicted")
	}
}

// TestEvictionNotInsideExec ensures an EXEC's commands run with no eviction
// between them (its writes pass the limit, and its last command still sees
// every key), the evictions coming after it; and that a
// transaction with a write is refused as a whole over the limit under
// noeviction (EXECABORT with the OOM error, as Redis 7.0), its MULTI gone.
func TestEvictionNotInsideExec(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) {
		c.Options.RESP.MaxMemory = 3000
		c.Options.RESP.MaxMemoryPolicy = "allkeys-random"
	})
	rdb := client(t, srv, 2)
	ctx := context.Background()
	value := strings.Repeat("x", 1000)
	var exists *redis.IntCmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i := range 10 {
			p.Set(ctx, "k"+strconv.Itoa(i), value, 0)
		}
		exists = p.Exists(ctx, "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9")
		return nil
	})
	if err != nil || exists.Val() != 10 {
		t.Fatalf("EXEC of 10 SETs then EXISTS: %d, %v; want 10 (nothing evicted inside)", exists.Val(), err)
	}
	waitWithin(t, rdb, 3000)

	rdb.ConfigSet(ctx, "maxmemory-policy", "noeviction")
	rdb.ConfigSet(ctx, "maxmemory", "0")
	rdb.Set(ctx, "big", value, 0)
	tx := dialRESP(t, srv.Addr)
	tx.roundTrip(t, []string{"MULTI"}, 1)
	if got := string(tx.roundTrip(t, []string{"SET", "a", "1"}, 1)); got != "+QUEUED\r\n" {
		t.Fatalf("SET in MULTI under the limit: %q", got)
	}
	rdb.ConfigSet(ctx, "maxmemory", "1")
	want := "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n"
	if got := string(tx.roundTrip(t, []string{"EXEC"}, 1)); got != want {
		t.Fatalf("EXEC of a SET over the limit: %q; want %q", got, want)
	}
	if got := string(tx.roundTrip(t, []string{"EXEC"}, 1)); got != "-ERR EXEC without MULTI\r\n" {
		t.Fatalf("EXEC again: %q", got)
	}
	if rdb.Exists(ctx, "a").Val() != 0 {
		t.Fatal("the refused transaction's SET ran")
	}
}

// TestDenyOOMFlagsAsRedis ensures the commands refused over maxmemory are
// Redis's: every command and subcommand of the table has the denyoom flag
// (COMMAND's third field) exactly where redis-server 7.0's COMMAND has it.
func TestDenyOOMFlagsAsRedis(t *testing.T) {
	redisAddr := startRedisServer(t)
	srv := startResp(t)
	ctx := context.Background()
	denyOOM := func(addr string) map[string]bool {
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
		defer rdb.Close()
		all, err := rdb.Do(ctx, "COMMAND").Slice()
		if err != nil {
			t.Fatalf("COMMAND on %s: %v", addr, err)
		}
		out := map[string]bool{}
		var add func(c []any)
		add = func(c []any) {
			flags, _ := c[2].([]any)
			out[c[0].(string)] = false
			for _, f := range flags {
				if f == "denyoom" {
					out[c[0].(string)] = true
				}
			}
			if len(c) > 9 {
				subs, _ := c[9].([]any)
				for _, s := range subs {
					add(s.([]any))
				}
			}
		}
		for _, c := range all {
			add(c.([]any))
		}
		return out
	}
	ours, ref := denyOOM(srv.Addr), denyOOM(redisAddr)
	compared := 0
	for name, deny := range ours {
		if want, ok := ref[name]; ok {
			compared++
			if deny != want {
				t.Errorf("%s: denyoom %v here, %v in redis-server", name, deny, want)
			}
		}
	}
	if compared < 150 {
		t.Fatalf("only %d commands compared; want the whole table", compared)
	}
}
