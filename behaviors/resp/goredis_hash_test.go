package resp_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisHash ensures go-redis gets Redis's answers, in RESP2 and RESP3
// (where HGETALL is a map), from HSET HSETNX HMSET HGET HMGET HDEL HLEN
// HSTRLEN HEXISTS HKEYS HVALS HGETALL: fields in the order first set, the
// key gone with its last field, WRONGTYPE and arity errors.
func TestGoRedisHash(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		if n, err := rdb.HSet(ctx, "h", "a", "1", "b", "2", "a", "3").Result(); n != 2 || err != nil {
			t.Fatalf("HSET a b a = %d, %v; want 2", n, err)
		}
		must(t, "HMSET", rdb.HMSet(ctx, "h", "c", "\x00bin").Err())
		if ok, err := rdb.HSetNX(ctx, "h", "a", "9").Result(); ok || err != nil {
			t.Fatalf("HSETNX on a field = %v, %v; want false", ok, err)
		}
		if ok, err := rdb.HSetNX(ctx, "h", "d", "4").Result(); !ok || err != nil {
			t.Fatalf("HSETNX on a new field = %v, %v; want true", ok, err)
		}
		if got, err := rdb.HGet(ctx, "h", "a").Result(); got != "3" || err != nil {
			t.Fatalf("HGET a = %q, %v; want 3", got, err)
		}
		if err := rdb.HGet(ctx, "h", "zz").Err(); err != redis.Nil {
			t.Fatalf("HGET of no field: %v; want redis.Nil", err)
		}
		got, err := rdb.HMGet(ctx, "h", "a", "zz", "c").Result()
		if err != nil || len(got) != 3 || got[0] != "3" || got[1] != nil || got[2] != "\x00bin" {
			t.Fatalf("HMGET = %q, %v", got, err)
		}
		if n, err := rdb.HStrLen(ctx, "h", "c").Result(); n != 4 || err != nil {
			t.Fatalf("HSTRLEN c = %d, %v; want 4", n, err)
		}
		if ok, err := rdb.HExists(ctx, "h", "zz").Result(); ok || err != nil {
			t.Fatalf("HEXISTS zz = %v, %v", ok, err)
		}
		if keys, err := rdb.HKeys(ctx, "h").Result(); !slices.Equal(keys, []string{"a", "b", "c", "d"}) || err != nil {
			t.Fatalf("HKEYS = %q, %v; want a b c d, the order first set", keys, err)
		}
		if vals, err := rdb.HVals(ctx, "h").Result(); !slices.Equal(vals, []string{"3", "2", "\x00bin", "4"}) || err != nil {
			t.Fatalf("HVALS = %q, %v", vals, err)
		}
		all, err := rdb.HGetAll(ctx, "h").Result()
		if want := map[string]string{"a": "3", "b": "2", "c": "\x00bin", "d": "4"}; !maps.Equal(all, want) || err != nil {
			t.Fatalf("HGETALL = %q, %v; want %q", all, err, want)
		}
		if n, err := rdb.HDel(ctx, "h", "a", "zz", "b", "c").Result(); n != 3 || err != nil {
			t.Fatalf("HDEL = %d, %v; want 3", n, err)
		}
		if n, err := rdb.HLen(ctx, "h").Result(); n != 1 || err != nil {
			t.Fatalf("HLEN = %d, %v; want 1", n, err)
		}
		must(t, "HDEL d", rdb.HDel(ctx, "h", "d").Err())
		if n, _ := rdb.Exists(ctx, "h").Result(); n != 0 {
			t.Fatal("the emptied hash's key still exists")
		}
		if all, err := rdb.HGetAll(ctx, "h").Result(); len(all) != 0 || err != nil {
			t.Fatalf("HGETALL of no hash = %q, %v", all, err)
		}
		wantErr(t, "HSET odd", rdb.Do(ctx, "hset", "h", "a", "1", "b").Err(), "ERR wrong number of arguments for 'hset' command")
		must(t, "SET", rdb.Set(ctx, "s", "x", 0).Err())
		wantErr(t, "HSET on a string", rdb.HSet(ctx, "s", "a", "1").Err(), wrongType)
		wantErr(t, "HGETALL on a string", rdb.HGetAll(ctx, "s").Err(), wrongType)
	})
}

// TestGoRedisHashInPlace ensures an HSET that rewrites a field's value in
// place (Hash.Put: the new value fits the old one's bytes) changes that
// hash alone: not a COPY of it, nor a value already read.
func TestGoRedisHashInPlace(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		must(t, "HSET", rdb.HSet(ctx, "h", "f", "old-value").Err())
		if n, err := rdb.Do(ctx, "copy", "h", "h2").Int(); n != 1 || err != nil {
			t.Fatalf("COPY = %d, %v", n, err)
		}
		for _, v := range []string{"new-value", "short", "a-longer-value-than-before"} {
			if n, err := rdb.HSet(ctx, "h", "f", v).Result(); n != 0 || err != nil {
				t.Fatalf("HSET f %s = %d, %v; want 0 (an update)", v, n, err)
			}
			if got, err := rdb.HGet(ctx, "h", "f").Result(); got != v || err != nil {
				t.Fatalf("HGET f = %q, %v; want %q", got, err, v)
			}
			if got, err := rdb.HGet(ctx, "h2", "f").Result(); got != "old-value" || err != nil {
				t.Fatalf("the copy's HGET f = %q, %v after HSET f %s on the original; want old-value", got, err, v)
			}
		}
	})
}

// TestGoRedisHashIncr ensures HINCRBY and HINCRBYFLOAT count as Redis does:
// overflow refused, a field that holds no number an error, and floats in
// Redis's long double (0.1 + 0.2 is 0.3).
func TestGoRedisHashIncr(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		if n, err := rdb.HIncrBy(ctx, "h", "n", 9223372036854775806).Result(); n != 9223372036854775806 || err != nil {
			t.Fatalf("HINCRBY = %d, %v", n, err)
		}
		wantErr(t, "HINCRBY past 2**63", rdb.HIncrBy(ctx, "h", "n", 2).Err(), "ERR increment or decrement would overflow")
		if f, err := rdb.HIncrByFloat(ctx, "h", "f", 0.1).Result(); f != 0.1 || err != nil {
			t.Fatalf("HINCRBYFLOAT 0.1 = %v, %v", f, err)
		}
		must(t, "HINCRBYFLOAT 0.2", rdb.HIncrByFloat(ctx, "h", "f", 0.2).Err())
		if got, _ := rdb.HGet(ctx, "h", "f").Result(); got != "0.3" {
			t.Fatalf("0.1 + 0.2 stored %q; want 0.3, as Redis's long double prints it", got)
		}
		must(t, "HSET", rdb.HSet(ctx, "h", "s", "abc").Err())
		wantErr(t, "HINCRBY on text", rdb.HIncrBy(ctx, "h", "s", 1).Err(), "ERR hash value is not an integer")
		wantErr(t, "HINCRBYFLOAT on text", rdb.HIncrByFloat(ctx, "h", "s", 1).Err(), "ERR hash value is not a float")
		wantErr(t, "HINCRBY x", rdb.Do(ctx, "hincrby", "h", "n", "x").Err(), "ERR value is not an integer or out of range")
		wantErr(t, "HINCRBYFLOAT x", rdb.Do(ctx, "hincrbyfloat", "h", "f", "x").Err(), "ERR value is not a valid float")
		wantErr(t, "HINCRBYFLOAT inf", rdb.Do(ctx, "hincrbyfloat", "h", "f", "inf").Err(), "ERR value is NaN or Infinity")
	})
}

// TestGoRedisHashRandomAndScan ensures HRANDFIELD's counts (positive:
// distinct, the whole hash at most; negative: repeats allowed; WITHVALUES
// pairs) and HSCAN's cursor, MATCH and COUNT, on a small (listpack) hash
// and a large (hashtable) one that a scan walks in several calls.
func TestGoRedisHashRandomAndScan(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		must(t, "HSET", rdb.HSet(ctx, "h", "a", "1", "b", "2", "c", "3").Err())
		if f, err := rdb.HRandField(ctx, "h", 1).Result(); len(f) != 1 || !strings.Contains("abc", f[0]) || err != nil {
			t.Fatalf("HRANDFIELD 1 = %q, %v", f, err)
		}
		if f, err := rdb.HRandField(ctx, "h", 10).Result(); !slices.Equal(f, []string{"a", "b", "c"}) || err != nil {
			t.Fatalf("HRANDFIELD 10 = %q, %v; want the whole hash in order", f, err)
		}
		f, err := rdb.HRandField(ctx, "h", 2).Result()
		if err != nil || len(f) != 2 || f[0] == f[1] {
			t.Fatalf("HRANDFIELD 2 = %q, %v; want two distinct fields", f, err)
		}
		if f, err := rdb.HRandField(ctx, "h", -7).Result(); len(f) != 7 || err != nil {
			t.Fatalf("HRANDFIELD -7 = %q, %v; want 7 fields", f, err)
		}
		kv, err := rdb.HRandFieldWithValues(ctx, "h", -4).Result()
		if err != nil || len(kv) != 4 {
			t.Fatalf("HRANDFIELD -4 WITHVALUES = %v, %v", kv, err)
		}
		for _, p := range kv {
			if want := map[string]string{"a": "1", "b": "2", "c": "3"}[p.Key]; p.Value != want {
				t.Fatalf("HRANDFIELD WITHVALUES paired %q with %q", p.Key, p.Value)
			}
		}
		keys, cursor, err := rdb.HScan(ctx, "h", 0, "[ab]", 1).Result()
		if !slices.Equal(keys, []string{"a", "1", "b", "2"}) || cursor != 0 || err != nil {
			t.Fatalf("HSCAN MATCH [ab] = %q, %d, %v; want a listpack whole, cursor 0", keys, cursor, err)
		}
		wantErr(t, "HSCAN x", rdb.Do(ctx, "hscan", "h", "x").Err(), "ERR invalid cursor")

		const n = 1000
		var args []any
		for i := range n {
			args = append(args, fmt.Sprint("f", i), i)
		}
		must(t, "HSET big", rdb.HSet(ctx, "big", args...).Err())
		for _, count := range []int64{10, 400, 999} { // few of many, and most of them
			f, err := rdb.HRandField(ctx, "big", int(count)).Result()
			distinct := map[string]bool{}
			for _, k := range f {
				distinct[k] = true
			}
			if err != nil || int64(len(distinct)) != count || len(f) != int(count) {
				t.Fatalf("HRANDFIELD big %d: %d fields, %d distinct, %v", count, len(f), len(distinct), err)
			}
		}
		seen, calls := map[string]int{}, 0
		for cursor := uint64(0); ; calls++ {
			kv, next, err := rdb.HScan(ctx, "big", cursor, "", 100).Result()
			if err != nil {
				t.Fatalf("HSCAN big %d: %v", cursor, err)
			}
			for i := 0; i < len(kv); i += 2 {
				seen[kv[i]]++
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		if len(seen) != n || calls < 5 {
			t.Fatalf("HSCAN of %d fields saw %d in %d calls; want all, in several", n, len(seen), calls+1)
		}
	})
}

// TestHRandFieldReplyBounded ensures a negative HRANDFIELD count cannot make
// the key space build a reply past 16 MiB (Redis would stream it without
// end): the command is refused, and the next one is answered as usual.
func TestHRandFieldReplyBounded(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	must(t, "HSET", rdb.HSet(ctx, "h", "f", strings.Repeat("v", 64<<10)).Err())
	err := rdb.Do(ctx, "hrandfield", "h", "-1000", "withvalues").Err() // 64 MB without the bound
	wantErr(t, "HRANDFIELD -1000", err, "ERR HRANDFIELD reply would pass 16 MiB: ask for fewer fields")
	if n, err := rdb.HLen(ctx, "h").Result(); n != 1 || err != nil {
		t.Fatalf("HLEN after = %d, %v", n, err)
	}
}
