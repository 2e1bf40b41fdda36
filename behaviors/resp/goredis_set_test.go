package resp_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// keyer prefixes keys with the subtest's name, so RESP2 and RESP3 runs on
// one server do not see each other's keys.
func keyer(t *testing.T) func(string) string {
	p := t.Name() + ":"
	return func(k string) string { return p + k }
}

func sorted(s []string) []string { slices.Sort(s); return s }

// TestGoRedisSets ensures go-redis, in RESP2 and RESP3, gets Redis's answers
// to every set command, WRONGTYPE and the argument errors included.
func TestGoRedisSets(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx, k := context.Background(), keyer(t)
		s, s2, str := k("s"), k("s2"), k("str")
		if n, err := rdb.SAdd(ctx, s, "a", "b", "c", "a").Result(); n != 3 || err != nil {
			t.Fatalf("SADD = %d, %v", n, err)
		}
		rdb.Set(ctx, str, "x", 0)
		if err := rdb.SAdd(ctx, str, "a").Err(); err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
			t.Fatalf("SADD on a string: %v", err)
		}
		if m, _ := rdb.SMembers(ctx, s).Result(); !slices.Equal(sorted(m), []string{"a", "b", "c"}) {
			t.Fatalf("SMEMBERS = %v", m)
		}
		if ok, _ := rdb.SIsMember(ctx, s, "b").Result(); !ok {
			t.Fatal("SISMEMBER b = false")
		}
		if got, _ := rdb.SMIsMember(ctx, s, "a", "z").Result(); !slices.Equal(got, []bool{true, false}) {
			t.Fatalf("SMISMEMBER = %v", got)
		}
		if n, _ := rdb.SCard(ctx, s).Result(); n != 3 {
			t.Fatalf("SCARD = %d", n)
		}
		rdb.SAdd(ctx, s2, "b", "c", "d")
		if got, _ := rdb.SInter(ctx, s, s2).Result(); !slices.Equal(sorted(got), []string{"b", "c"}) {
			t.Fatalf("SINTER = %v", got)
		}
		if got, _ := rdb.SUnion(ctx, s, s2).Result(); !slices.Equal(sorted(got), []string{"a", "b", "c", "d"}) {
			t.Fatalf("SUNION = %v", got)
		}
		if got, _ := rdb.SDiff(ctx, s, s2).Result(); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("SDIFF = %v", got)
		}
		if n, _ := rdb.SInterCard(ctx, 1, s, s2).Result(); n != 1 {
			t.Fatalf("SINTERCARD LIMIT 1 = %d", n)
		}
		for _, c := range []struct {
			name string
			cmd  *redis.IntCmd
			want int64
		}{
			{"SINTERSTORE", rdb.SInterStore(ctx, k("i"), s, s2), 2},
			{"SUNIONSTORE", rdb.SUnionStore(ctx, k("u"), s, s2), 4},
			{"SDIFFSTORE", rdb.SDiffStore(ctx, k("d"), s, s2), 1},
			{"SDIFFSTORE empty", rdb.SDiffStore(ctx, k("u"), s, k("u")), 0},
		} {
			if n, err := c.cmd.Result(); n != c.want || err != nil {
				t.Fatalf("%s = %d, %v; want %d", c.name, n, err, c.want)
			}
		}
		if n, _ := rdb.Exists(ctx, k("u")).Result(); n != 0 {
			t.Fatal("an empty STORE result left its key")
		}
		if ok, _ := rdb.SMove(ctx, s, s2, "a").Result(); !ok {
			t.Fatal("SMOVE a = false")
		}
		if ok, _ := rdb.SMove(ctx, s, s2, "a").Result(); ok {
			t.Fatal("SMOVE a twice = true")
		}
		if err := rdb.SPopN(ctx, s, -1).Err(); err == nil || err.Error() != "ERR value is out of range, must be positive" {
			t.Fatalf("SPOP -1: %v", err)
		}
		if got, _ := rdb.SRandMemberN(ctx, s2, -5).Result(); len(got) != 5 {
			t.Fatalf("SRANDMEMBER -5 = %v", got)
		}
		if got, _ := rdb.SRandMemberN(ctx, s2, 2).Result(); len(got) != 2 || got[0] == got[1] {
			t.Fatalf("SRANDMEMBER 2 = %v", got)
		}
		popped, _ := rdb.SPopN(ctx, s2, 10).Result()
		if !slices.Equal(sorted(popped), []string{"a", "b", "c", "d"}) {
			t.Fatalf("SPOP 10 = %v", popped)
		}
		if n, _ := rdb.Exists(ctx, s2).Result(); n != 0 {
			t.Fatal("SPOP of everything left the key")
		}
		if _, err := rdb.SPop(ctx, s2).Result(); err != redis.Nil {
			t.Fatalf("SPOP of a missing key: %v", err)
		}
		scanSet(t, rdb, k("big"))
	})
}

// scanSet fills a set past the intset encoding and SSCANs it with a small
// COUNT and a MATCH: every member once.
func scanSet(t *testing.T, rdb *redis.Client, key string) {
	ctx := context.Background()
	var all []any
	for i := range 600 {
		all = append(all, "m"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	rdb.SAdd(ctx, key, all...)
	seen := map[string]int{}
	var cursor uint64
	for calls := 0; ; calls++ {
		keys, next, err := rdb.SScan(ctx, key, cursor, "ma*", 7).Result()
		if err != nil || calls > 1000 {
			t.Fatalf("SSCAN: %v after %d calls", err, calls)
		}
		for _, m := range keys {
			seen[m]++
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(seen) != 24 {
		t.Fatalf("SSCAN MATCH ma* found %d members; want 24", len(seen))
	}
	for m, n := range seen {
		if n != 1 {
			t.Fatalf("SSCAN returned %s %d times", m, n)
		}
	}
}

// TestRandomMembersBounded ensures SRANDMEMBER and ZRANDMEMBER with a huge
// negative count answer an error once their reply would pass 16 MiB, rather
// than build it (Redis builds it: -9223372036854775807 took redis-server to
// 17 GB), and that the connection goes on.
func TestRandomMembersBounded(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		big := strings.Repeat("m", 1000)
		must(t, "SADD", rdb.SAdd(ctx, "s", big).Err())
		must(t, "ZADD", rdb.ZAdd(ctx, "z", redis.Z{Member: big, Score: 1}).Err())
		wantErr(t, "SRANDMEMBER -9223372036854775807", rdb.SRandMemberN(ctx, "s", -9223372036854775807).Err(),
			"ERR SRANDMEMBER reply would pass 16 MiB: ask for fewer members")
		wantErr(t, "ZRANDMEMBER -20000 WITHSCORES", rdb.ZRandMemberWithScores(ctx, "z", -20000).Err(),
			"ERR ZRANDMEMBER reply would pass 16 MiB: ask for fewer members")
		if got, err := rdb.SRandMemberN(ctx, "s", -1000).Result(); len(got) != 1000 || err != nil {
			t.Fatalf("SRANDMEMBER -1000 = %d members, %v", len(got), err)
		}
	})
}
