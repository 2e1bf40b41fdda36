package resp_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func zs(pairs ...any) []redis.Z {
	var out []redis.Z
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, redis.Z{Member: pairs[i], Score: float64(pairs[i+1].(int))})
	}
	return out
}

func names(zz []redis.Z) []string {
	var out []string
	for _, z := range zz {
		out = append(out, z.Member.(string))
	}
	return out
}

// TestGoRedisZsetBasics ensures go-redis, in RESP2 and RESP3, gets Redis's
// answers to ZADD (every option), ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE,
// ZRANK, ZREVRANK, ZCOUNT and ZLEXCOUNT, errors included.
func TestGoRedisZsetBasics(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		if n, err := rdb.ZAdd(ctx, "z", zs("a", 1, "b", 2, "c", 3)...).Result(); n != 3 || err != nil {
			t.Fatalf("ZADD = %d, %v", n, err)
		}
		if n, _ := rdb.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true, Members: zs("a", 5, "b", 0)}).Result(); n != 1 {
			t.Fatalf("ZADD GT CH = %d; want 1", n)
		}
		if n, _ := rdb.ZAddArgs(ctx, "z", redis.ZAddArgs{NX: true, Members: zs("a", 9, "d", 4)}).Result(); n != 1 {
			t.Fatalf("ZADD NX = %d; want 1", n)
		}
		if _, err := rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{XX: true, Members: zs("nope", 1)}).Result(); err != redis.Nil {
			t.Fatalf("ZADD XX INCR on a missing member: %v; want nil", err)
		}
		if f, _ := rdb.ZIncrBy(ctx, "z", 0.5, "c").Result(); f != 3.5 {
			t.Fatalf("ZINCRBY = %v", f)
		}
		wantErr(t, "ZADD NX XX", rdb.Do(ctx, "zadd", "z", "nx", "xx", 1, "a").Err(),
			"ERR XX and NX options at the same time are not compatible")
		wantErr(t, "ZADD bad score", rdb.Do(ctx, "zadd", "z", "x", "a").Err(), "ERR value is not a valid float")
		rdb.ZAdd(ctx, "inf", redis.Z{Score: math.Inf(1), Member: "m"})
		wantErr(t, "ZINCRBY -inf", rdb.ZIncrBy(ctx, "inf", math.Inf(-1), "m").Err(), "ERR resulting score is not a number (NaN)")
		if f, _ := rdb.ZScore(ctx, "inf", "m").Result(); !math.IsInf(f, 1) {
			t.Fatalf("ZSCORE of inf = %v", f)
		}
		if got, _ := rdb.ZMScore(ctx, "z", "a", "nope", "d").Result(); !slices.Equal(got, []float64{5, 0, 4}) {
			t.Fatalf("ZMSCORE = %v", got)
		}
		if r, _ := rdb.ZRank(ctx, "z", "c").Result(); r != 1 {
			t.Fatalf("ZRANK c = %d", r)
		}
		if r, _ := rdb.ZRevRank(ctx, "z", "c").Result(); r != 2 {
			t.Fatalf("ZREVRANK c = %d", r)
		}
		if err := rdb.ZRank(ctx, "z", "nope").Err(); err != redis.Nil {
			t.Fatalf("ZRANK of a missing member: %v", err)
		}
		if n, _ := rdb.ZCount(ctx, "z", "(2", "+inf").Result(); n != 3 {
			t.Fatalf("ZCOUNT (2 +inf = %d", n)
		}
		wantErr(t, "ZCOUNT x", rdb.ZCount(ctx, "z", "x", "1").Err(), "ERR min or max is not a float")
		rdb.ZAdd(ctx, "lex", zs("a", 0, "b", 0, "c", 0, "d", 0)...)
		if n, _ := rdb.ZLexCount(ctx, "lex", "[b", "+").Result(); n != 3 {
			t.Fatalf("ZLEXCOUNT = %d", n)
		}
		wantErr(t, "ZLEXCOUNT b", rdb.ZLexCount(ctx, "lex", "b", "+").Err(), "ERR min or max not valid string range item")
		if n, _ := rdb.ZRem(ctx, "z", "a", "nope").Result(); n != 1 {
			t.Fatalf("ZREM = %d", n)
		}
		if n, _ := rdb.ZCard(ctx, "z").Result(); n != 3 {
			t.Fatalf("ZCARD = %d", n)
		}
		rdb.Set(ctx, "str", "x", 0)
		wantErr(t, "ZADD on a string", rdb.ZAdd(ctx, "str", zs("a", 1)...).Err(), "WRONGTYPE Operation against a key holding the wrong kind of value")
	})
}

// TestGoRedisZsetRanges ensures every range form (by rank, score and lex,
// reversed, LIMIT, WITHSCORES), ZRANGESTORE and ZREMRANGEBY* answer as Redis.
func TestGoRedisZsetRanges(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		rdb.ZAdd(ctx, "z", zs("a", 1, "b", 2, "c", 3, "d", 4, "e", 5)...)
		if got, _ := rdb.ZRangeWithScores(ctx, "z", -2, -1).Result(); !slices.Equal(got, zs("d", 4, "e", 5)) {
			t.Fatalf("ZRANGE -2 -1 WITHSCORES = %v", got)
		}
		if got, _ := rdb.ZRevRange(ctx, "z", 0, 1).Result(); !slices.Equal(got, []string{"e", "d"}) {
			t.Fatalf("ZREVRANGE = %v", got)
		}
		byScore := redis.ZRangeArgs{Key: "z", Start: "(1", Stop: "+inf", ByScore: true, Offset: 1, Count: 2}
		if got, _ := rdb.ZRangeArgs(ctx, byScore).Result(); !slices.Equal(got, []string{"c", "d"}) {
			t.Fatalf("ZRANGE BYSCORE LIMIT = %v", got)
		}
		rev := redis.ZRangeArgs{Key: "z", Start: "2", Stop: "4", ByScore: true, Rev: true} // go-redis sends max, min
		if got, _ := rdb.ZRangeArgsWithScores(ctx, rev).Result(); !slices.Equal(got, zs("d", 4, "c", 3, "b", 2)) {
			t.Fatalf("ZRANGE BYSCORE REV = %v", got)
		}
		if got, _ := rdb.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "-inf", Max: "2"}).Result(); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("ZRANGEBYSCORE = %v", got)
		}
		if got, _ := rdb.ZRevRangeByScoreWithScores(ctx, "z", &redis.ZRangeBy{Min: "2", Max: "(5"}).Result(); !slices.Equal(got, zs("d", 4, "c", 3, "b", 2)) {
			t.Fatalf("ZREVRANGEBYSCORE = %v", got)
		}
		rdb.ZAdd(ctx, "lex", zs("a", 0, "b", 0, "c", 0, "d", 0)...)
		if got, _ := rdb.ZRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "(a", Max: "[c"}).Result(); !slices.Equal(got, []string{"b", "c"}) {
			t.Fatalf("ZRANGEBYLEX = %v", got)
		}
		if got, _ := rdb.ZRevRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "-", Max: "+", Count: 2}).Result(); !slices.Equal(got, []string{"d", "c"}) {
			t.Fatalf("ZREVRANGEBYLEX LIMIT 0 2 = %v", got)
		}
		wantErr(t, "ZRANGE LIMIT by rank", rdb.Do(ctx, "zrange", "z", 0, 1, "limit", 0, 1).Err(),
			"ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		if n, _ := rdb.ZRangeStore(ctx, "dst", redis.ZRangeArgs{Key: "z", Start: 1, Stop: 2}).Result(); n != 2 {
			t.Fatalf("ZRANGESTORE = %d", n)
		}
		if got, _ := rdb.ZRange(ctx, "dst", 0, -1).Result(); !slices.Equal(got, []string{"b", "c"}) {
			t.Fatalf("ZRANGESTORE's result = %v", got)
		}
		if n, _ := rdb.ZRemRangeByRank(ctx, "z", 0, 0).Result(); n != 1 {
			t.Fatalf("ZREMRANGEBYRANK = %d", n)
		}
		if n, _ := rdb.ZRemRangeByScore(ctx, "z", "(2", "4").Result(); n != 2 {
			t.Fatalf("ZREMRANGEBYSCORE = %d", n)
		}
		if n, _ := rdb.ZRemRangeByLex(ctx, "lex", "-", "[b").Result(); n != 2 {
			t.Fatalf("ZREMRANGEBYLEX = %d", n)
		}
		if got, _ := rdb.ZRange(ctx, "z", 0, -1).Result(); !slices.Equal(got, []string{"b", "e"}) {
			t.Fatalf("after the removals = %v", got)
		}
	})
}

// TestGoRedisZsetPopsAndAlgebra ensures ZPOPMIN, ZPOPMAX, ZMPOP,
// ZRANDMEMBER, ZUNION, ZINTER, ZDIFF (and STORE, WEIGHTS, AGGREGATE),
// ZINTERCARD and ZSCAN answer as Redis.
func TestGoRedisZsetPopsAndAlgebra(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		rdb.ZAdd(ctx, "p", zs("a", 1, "b", 2, "c", 3, "d", 4)...)
		if got, _ := rdb.ZPopMin(ctx, "p").Result(); !slices.Equal(got, zs("a", 1)) {
			t.Fatalf("ZPOPMIN = %v", got)
		}
		if got, _ := rdb.ZPopMax(ctx, "p", 2).Result(); !slices.Equal(got, zs("d", 4, "c", 3)) {
			t.Fatalf("ZPOPMAX 2 = %v", got)
		}
		key, got, err := rdb.ZMPop(ctx, "min", 5, "none", "p").Result()
		if key != "p" || !slices.Equal(got, zs("b", 2)) || err != nil {
			t.Fatalf("ZMPOP = %s %v %v", key, got, err)
		}
		if n, _ := rdb.Exists(ctx, "p").Result(); n != 0 {
			t.Fatal("a popped-empty sorted set was kept")
		}
		rdb.ZAdd(ctx, "x", zs("a", 1, "b", 2, "c", 3)...)
		rdb.ZAdd(ctx, "y", zs("b", 10, "c", 20, "d", 30)...)
		rdb.SAdd(ctx, "s", "c", "z")
		if got, _ := rdb.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"x", "y"}, Weights: []float64{2, 1}}).Result(); !slices.Equal(got, zs("a", 2, "b", 14, "c", 26, "d", 30)) {
			t.Fatalf("ZUNION WEIGHTS = %v", got)
		}
		if got, _ := rdb.ZInterWithScores(ctx, &redis.ZStore{Keys: []string{"x", "y", "s"}, Aggregate: "max"}).Result(); !slices.Equal(got, zs("c", 20)) {
			t.Fatalf("ZINTER with a set, AGGREGATE MAX = %v", got)
		}
		if got, _ := rdb.ZDiff(ctx, "x", "y").Result(); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("ZDIFF = %v", got)
		}
		if n, _ := rdb.ZInterStore(ctx, "i", &redis.ZStore{Keys: []string{"x", "y"}, Aggregate: "min"}).Result(); n != 2 {
			t.Fatalf("ZINTERSTORE = %d", n)
		}
		if n, _ := rdb.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"x", "s"}}).Result(); n != 4 {
			t.Fatalf("ZUNIONSTORE = %d", n)
		}
		if n, _ := rdb.ZDiffStore(ctx, "d", "x", "x").Result(); n != 0 {
			t.Fatalf("ZDIFFSTORE = %d", n)
		}
		if n, _ := rdb.ZInterCard(ctx, 1, "x", "y").Result(); n != 1 {
			t.Fatalf("ZINTERCARD LIMIT 1 = %d", n)
		}
		wantErr(t, "ZINTER 0", rdb.Do(ctx, "zinter", 0, "x").Err(), "ERR at least 1 input key is needed for 'zinter' command")
		if got, _ := rdb.ZRandMemberWithScores(ctx, "x", -4).Result(); len(got) != 4 {
			t.Fatalf("ZRANDMEMBER -4 WITHSCORES = %v", got)
		}
		if got, _ := rdb.ZRandMember(ctx, "x", 10).Result(); !slices.Equal(got, []string{"c", "b", "a"}) {
			t.Fatalf("ZRANDMEMBER 10 = %v", got)
		}
		scanZset(t, rdb)
	})
}

// scanZset fills a sorted set past the listpack encoding and ZSCANs it:
// every member once, each with its score.
func scanZset(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	var all []redis.Z
	for i := range 300 {
		all = append(all, redis.Z{Member: "m" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Score: float64(i)})
	}
	rdb.ZAdd(ctx, "big", all...)
	seen := map[string]string{}
	var cursor uint64
	for calls := 0; ; calls++ {
		kv, next, err := rdb.ZScan(ctx, "big", cursor, "", 20).Result()
		if err != nil || calls > 1000 {
			t.Fatalf("ZSCAN: %v after %d calls", err, calls)
		}
		for i := 0; i < len(kv); i += 2 {
			if _, dup := seen[kv[i]]; dup {
				t.Fatalf("ZSCAN returned %s twice", kv[i])
			}
			seen[kv[i]] = kv[i+1]
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(seen) != 300 || seen["mba"] != "1" {
		t.Fatalf("ZSCAN found %d members, mba's score %q", len(seen), seen["mba"])
	}
}

// TestGoRedisZsetBlocking ensures BZPOPMIN, BZPOPMAX and BZMPOP are woken by
// the ZADD that gives them a member, and answer a null at their timeout.
func TestGoRedisZsetBlocking(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		o := rdb.Options()
		a := redis.NewClient(&redis.Options{Addr: o.Addr, Protocol: o.Protocol, DB: o.DB, PoolSize: 1})
		t.Cleanup(func() { a.Close() })
		got := inBackground(func() ([]string, error) {
			z, err := a.BZPopMin(ctx, 5*time.Second, "none", "bz").Result()
			if err != nil {
				return nil, err
			}
			return []string{z.Key, z.Member.(string)}, nil
		})
		waitBlocked(t, rdb, 1)
		must(t, "ZADD", rdb.ZAdd(ctx, "bz", zs("hi", 9, "lo", 1)...).Err())
		wantResult(t, "BZPOPMIN", got, []string{"bz", "lo"}, nil)
		if z, err := rdb.BZPopMax(ctx, time.Second, "bz").Result(); err != nil || z.Member != "hi" || z.Score != 9 {
			t.Fatalf("BZPOPMAX = %v, %v", z, err)
		}
		mp := inBackground(func() ([]string, error) {
			key, zz, err := a.BZMPop(ctx, 5*time.Second, "max", 2, "bz").Result()
			return append([]string{key}, names(zz)...), err
		})
		waitBlocked(t, rdb, 1)
		must(t, "ZADD", rdb.ZAdd(ctx, "bz", zs("a", 1, "b", 2, "c", 3)...).Err())
		wantResult(t, "BZMPOP MAX COUNT 2", mp, []string{"bz", "c", "b"}, nil)
		for _, args := range [][]any{{"bzpopmin", "none", "0.05"}, {"bzpopmax", "none", "0.05"}, {"bzmpop", "0.05", 1, "none", "min"}} {
			if err := rdb.Do(ctx, args...).Err(); err != redis.Nil {
				t.Fatalf("%v: %v; want nil at the timeout", args, err)
			}
		}
		waitBlocked(t, rdb, 0)
	})
}
