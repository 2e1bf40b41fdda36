package resp_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"
)

// perProtocol runs f with a RESP2 client, then a RESP3 one, of one server,
// each in a database of its own (2, 3), so each starts empty.
func perProtocol(t *testing.T, f func(t *testing.T, rdb *redis.Client)) {
	srv := startResp(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: proto, DB: proto, PoolSize: 4})
			t.Cleanup(func() { rdb.Close() })
			f(t, rdb)
		})
	}
}

// must fails the test with what cmd is if err is not nil.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails the test unless err is the Redis error text want.
func wantErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Fatalf("%s: error %v; want %q", what, err, want)
	}
}

const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"

// TestGoRedisListPushPop ensures go-redis gets Redis's answers, in RESP2 and
// RESP3, from the pushes and pops: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP (with
// a count) LLEN, the key gone with its last element, and WRONGTYPE.
func TestGoRedisListPushPop(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		if n, err := rdb.LPushX(ctx, "l", "x").Result(); n != 0 || err != nil {
			t.Fatalf("LPUSHX on no list = %d, %v; want 0", n, err)
		}
		if n, err := rdb.RPush(ctx, "l", "b", "c").Result(); n != 2 || err != nil {
			t.Fatalf("RPUSH = %d, %v; want 2", n, err)
		}
		if n, err := rdb.LPush(ctx, "l", "a", "\x00bin").Result(); n != 4 || err != nil {
			t.Fatalf("LPUSH = %d, %v; want 4", n, err)
		}
		if n, err := rdb.RPushX(ctx, "l", "d").Result(); n != 5 || err != nil {
			t.Fatalf("RPUSHX = %d, %v; want 5", n, err)
		}
		if got, err := rdb.LRange(ctx, "l", 0, -1).Result(); !slices.Equal(got, []string{"\x00bin", "a", "b", "c", "d"}) || err != nil {
			t.Fatalf("LRANGE = %q, %v", got, err)
		}
		if got, err := rdb.LPop(ctx, "l").Result(); got != "\x00bin" || err != nil {
			t.Fatalf("LPOP = %q, %v; want \\x00bin", got, err)
		}
		if got, err := rdb.RPopCount(ctx, "l", 2).Result(); !slices.Equal(got, []string{"d", "c"}) || err != nil {
			t.Fatalf("RPOP 2 = %q, %v", got, err)
		}
		if n, err := rdb.LLen(ctx, "l").Result(); n != 2 || err != nil {
			t.Fatalf("LLEN = %d, %v; want 2", n, err)
		}
		if got, err := rdb.LPopCount(ctx, "l", 10).Result(); !slices.Equal(got, []string{"a", "b"}) || err != nil {
			t.Fatalf("LPOP 10 = %q, %v", got, err)
		}
		if n, _ := rdb.Exists(ctx, "l").Result(); n != 0 {
			t.Fatal("the emptied list's key still exists")
		}
		if err := rdb.LPop(ctx, "l").Err(); err != redis.Nil {
			t.Fatalf("LPOP on no list: %v; want redis.Nil", err)
		}
		if err := rdb.LPopCount(ctx, "l", 2).Err(); err != redis.Nil {
			t.Fatalf("LPOP 2 on no list: %v; want redis.Nil", err)
		}
		wantErr(t, "LPOP -1", rdb.LPopCount(ctx, "l", -1).Err(), "ERR value is out of range, must be positive")
		must(t, "SET", rdb.Set(ctx, "s", "x", 0).Err())
		wantErr(t, "LPUSH on a string", rdb.LPush(ctx, "s", "a").Err(), wrongType)
		wantErr(t, "LLEN on a string", rdb.LLen(ctx, "s").Err(), wrongType)
		wantErr(t, "LPOP 0 on a string", rdb.LPopCount(ctx, "s", 0).Err(), wrongType)
	})
}

// TestGoRedisListIndexes ensures LINDEX LSET LRANGE LTRIM LINSERT LREM LPOS
// answer as Redis does, negative indexes and errors included.
func TestGoRedisListIndexes(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		must(t, "RPUSH", rdb.RPush(ctx, "l", "a", "b", "c", "a", "b", "c", "a").Err())
		if got, err := rdb.LIndex(ctx, "l", -7).Result(); got != "a" || err != nil {
			t.Fatalf("LINDEX -7 = %q, %v", got, err)
		}
		if err := rdb.LIndex(ctx, "l", 7).Err(); err != redis.Nil {
			t.Fatalf("LINDEX 7: %v; want redis.Nil", err)
		}
		must(t, "LSET", rdb.LSet(ctx, "l", -1, "z").Err())
		wantErr(t, "LSET 7", rdb.LSet(ctx, "l", 7, "z").Err(), "ERR index out of range")
		wantErr(t, "LSET on no key", rdb.LSet(ctx, "none", 0, "z").Err(), "ERR no such key")
		if n, err := rdb.LInsertBefore(ctx, "l", "b", "x").Result(); n != 8 || err != nil {
			t.Fatalf("LINSERT BEFORE = %d, %v; want 8", n, err)
		}
		if n, err := rdb.LInsertAfter(ctx, "l", "nope", "x").Result(); n != -1 || err != nil {
			t.Fatalf("LINSERT after a missing pivot = %d, %v; want -1", n, err)
		}
		if n, err := rdb.LRem(ctx, "l", -1, "a").Result(); n != 1 || err != nil {
			t.Fatalf("LREM -1 a = %d, %v; want 1", n, err)
		}
		// a x b c b c z
		if got, err := rdb.LPos(ctx, "l", "c", redis.LPosArgs{Rank: -1}).Result(); got != 5 || err != nil {
			t.Fatalf("LPOS c RANK -1 = %d, %v; want 5", got, err)
		}
		if got, err := rdb.LPosCount(ctx, "l", "b", 0, redis.LPosArgs{}).Result(); !slices.Equal(got, []int64{2, 4}) || err != nil {
			t.Fatalf("LPOS b COUNT 0 = %v, %v", got, err)
		}
		if err := rdb.LPos(ctx, "l", "b", redis.LPosArgs{MaxLen: 2}).Err(); err != redis.Nil {
			t.Fatalf("LPOS b MAXLEN 2: %v; want redis.Nil", err)
		}
		must(t, "LTRIM", rdb.LTrim(ctx, "l", 1, -2).Err())
		if got, err := rdb.LRange(ctx, "l", -100, 100).Result(); !slices.Equal(got, []string{"x", "b", "c", "b", "c"}) || err != nil {
			t.Fatalf("LRANGE after LTRIM = %q, %v", got, err)
		}
		wantErr(t, "LRANGE x", rdb.Do(ctx, "lrange", "l", "x", 1).Err(), "ERR value is not an integer or out of range")
		must(t, "LTRIM to nothing", rdb.LTrim(ctx, "l", 5, 1).Err())
		if n, _ := rdb.Exists(ctx, "l").Result(); n != 0 {
			t.Fatal("LTRIM to nothing left the key")
		}
	})
}

// TestGoRedisListMove ensures LMOVE RPOPLPUSH LMPOP move and pop as Redis
// does: to the same list, from the first non-empty of several keys, with
// COUNT, and a null when there is nothing.
func TestGoRedisListMove(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		must(t, "RPUSH", rdb.RPush(ctx, "src", "1", "2", "3").Err())
		if got, err := rdb.LMove(ctx, "src", "dst", "LEFT", "RIGHT").Result(); got != "1" || err != nil {
			t.Fatalf("LMOVE = %q, %v", got, err)
		}
		if got, err := rdb.RPopLPush(ctx, "src", "src").Result(); got != "3" || err != nil {
			t.Fatalf("RPOPLPUSH onto itself = %q, %v", got, err)
		}
		if got, _ := rdb.LRange(ctx, "src", 0, -1).Result(); !slices.Equal(got, []string{"3", "2"}) {
			t.Fatalf("source after the rotation = %q", got)
		}
		if err := rdb.LMove(ctx, "none", "dst", "LEFT", "LEFT").Err(); err != redis.Nil {
			t.Fatalf("LMOVE from no list: %v; want redis.Nil", err)
		}
		wantErr(t, "LMOVE MIDDLE", rdb.Do(ctx, "lmove", "src", "dst", "middle", "left").Err(), "ERR syntax error")
		key, got, err := rdb.LMPop(ctx, "right", 5, "none", "src").Result()
		if key != "src" || !slices.Equal(got, []string{"2", "3"}) || err != nil {
			t.Fatalf("LMPOP = %q %q, %v", key, got, err)
		}
		if _, _, err := rdb.LMPop(ctx, "left", 1, "none", "src").Result(); err != redis.Nil {
			t.Fatalf("LMPOP on no lists: %v; want redis.Nil", err)
		}
		wantErr(t, "LMPOP 0", rdb.Do(ctx, "lmpop", 0, "a", "left").Err(), "ERR numkeys should be greater than 0")
		wantErr(t, "LMPOP COUNT 0", rdb.Do(ctx, "lmpop", 1, "a", "left", "count", 0).Err(), "ERR count should be greater than 0")
	})
}
