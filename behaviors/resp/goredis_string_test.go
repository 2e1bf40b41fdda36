package resp_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisStrings ensures go-redis gets Redis's answers from the string
// and bitmap groups, in RESP2 and RESP3.
func TestGoRedisStrings(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		check := func(what string, got, want any, err error) {
			t.Helper()
			if err != nil || got != want {
				t.Fatalf("%s = %v, %v; want %v", what, got, err, want)
			}
		}
		ok, err := rdb.SetNX(ctx, "s", "v", 0).Result()
		check("SETNX", ok, true, err)
		old, err := rdb.SetArgs(ctx, "s", "w", redis.SetArgs{Get: true, TTL: time.Minute}).Result()
		check("SET GET EX", old, "v", err)
		ttl, err := rdb.TTL(ctx, "s").Result()
		check("TTL", ttl, time.Minute, err)
		n, err := rdb.Incr(ctx, "n").Result()
		check("INCR", n, int64(1), err)
		n, err = rdb.DecrBy(ctx, "n", 5).Result()
		check("DECRBY", n, int64(-4), err)
		f, err := rdb.IncrByFloat(ctx, "f", 0.1).Result()
		check("INCRBYFLOAT", f, 0.1, err)
		f, err = rdb.IncrByFloat(ctx, "f", 0.2).Result()
		check("INCRBYFLOAT again", f, 0.3, err)
		n, err = rdb.Append(ctx, "s", "xyz").Result()
		check("APPEND", n, int64(4), err)
		sub, err := rdb.GetRange(ctx, "s", 1, -1).Result()
		check("GETRANGE", sub, "xyz", err)
		n, err = rdb.SetRange(ctx, "s", 6, "!").Result()
		check("SETRANGE", n, int64(7), err)
		vals, err := rdb.MGet(ctx, "s", "nope", "n").Result()
		if err != nil || len(vals) != 3 || vals[0] != "wxyz\x00\x00!" || vals[1] != nil || vals[2] != "-4" {
			t.Fatalf("MGET = %q, %v", vals, err)
		}
		ok, err = rdb.MSetNX(ctx, "a", "1", "s", "2").Result()
		check("MSETNX with an existing key", ok, false, err)
		lcs, err := rdb.LCS(ctx, &redis.LCSQuery{Key1: "s", Key2: "s"}).Result()
		if err != nil || lcs.MatchString != "wxyz\x00\x00!" {
			t.Fatalf("LCS = %+v, %v", lcs, err)
		}
		v, err := rdb.GetDel(ctx, "s").Result()
		check("GETDEL", v, "wxyz\x00\x00!", err)
		n, err = rdb.SetBit(ctx, "b", 9, 1).Result()
		check("SETBIT", n, int64(0), err)
		n, err = rdb.BitCount(ctx, "b", nil).Result()
		check("BITCOUNT", n, int64(1), err)
		n, err = rdb.BitPos(ctx, "b", 1).Result()
		check("BITPOS", n, int64(9), err)
		n, err = rdb.BitOpNot(ctx, "nb", "b").Result()
		check("BITOP NOT", n, int64(2), err)
		fields, err := rdb.BitField(ctx, "bf", "SET", "i8", "#1", -100, "INCRBY", "u4", 0, 17, "GET", "i8", 8).Result()
		if err != nil || len(fields) != 3 || fields[0] != 0 || fields[1] != 1 || fields[2] != -100 {
			t.Fatalf("BITFIELD = %v, %v; want [0 1 -100]", fields, err)
		}
		fields, err = rdb.BitFieldRO(ctx, "bf", "u16", 0).Result()
		if err != nil || len(fields) != 1 || fields[0] != 0x1000|0x9c {
			t.Fatalf("BITFIELD_RO = %v, %v; want [%d]", fields, err, 0x1000|0x9c)
		}
		if err := rdb.LPush(ctx, "list", "x").Err(); err != nil {
			t.Fatalf("LPUSH: %v", err)
		}
		if err := rdb.Get(ctx, "list").Err(); err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
			t.Fatalf("GET on a list: %v", err)
		}
	})
}

// TestGoRedisGeneric ensures the generic group's commands answer go-redis
// as Redis does: TYPE, RENAME, COPY, MOVE, EXPIRE and its options, TTL,
// PERSIST, KEYS, SCAN, RANDOMKEY, SORT.
func TestGoRedisGeneric(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		rdb.Set(ctx, "k1", "1", 0)
		rdb.Set(ctx, "k2", "2", 0)
		if typ, _ := rdb.Type(ctx, "k1").Result(); typ != "string" {
			t.Fatalf("TYPE = %q", typ)
		}
		if ok, err := rdb.ExpireNX(ctx, "k1", time.Hour).Result(); !ok || err != nil {
			t.Fatalf("EXPIRE NX = %v, %v", ok, err)
		}
		if ok, _ := rdb.ExpireGT(ctx, "k1", time.Minute).Result(); ok {
			t.Fatalf("EXPIRE GT with a shorter time succeeded")
		}
		if err := rdb.Rename(ctx, "k1", "k3").Err(); err != nil {
			t.Fatalf("RENAME: %v", err)
		}
		if d, _ := rdb.TTL(ctx, "k3").Result(); d != time.Hour {
			t.Fatalf("TTL after RENAME = %v; want 1h", d)
		}
		if ok, _ := rdb.Persist(ctx, "k3").Result(); !ok {
			t.Fatalf("PERSIST found no expiry")
		}
		if n, err := rdb.Copy(ctx, "k2", "k4", 0, false).Result(); n != 1 || err != nil {
			t.Fatalf("COPY = %d, %v", n, err)
		}
		if ok, err := rdb.Move(ctx, "k4", 2).Result(); !ok || err != nil {
			t.Fatalf("MOVE = %v, %v", ok, err)
		}
		keys, err := rdb.Keys(ctx, "k*").Result()
		if err != nil || len(keys) != 2 {
			t.Fatalf("KEYS k* = %v, %v", keys, err)
		}
		var all []string
		for cursor := uint64(0); ; {
			page, next, err := rdb.Scan(ctx, cursor, "*", 1).Result()
			if err != nil {
				t.Fatalf("SCAN: %v", err)
			}
			all = append(all, page...)
			if cursor = next; cursor == 0 {
				break
			}
		}
		if len(all) != 2 {
			t.Fatalf("SCAN found %v; want 2 keys", all)
		}
		if k, err := rdb.RandomKey(ctx).Result(); err != nil || (k != "k2" && k != "k3") {
			t.Fatalf("RANDOMKEY = %q, %v", k, err)
		}
		rdb.RPush(ctx, "l", 3, 1, 2)
		sorted, err := rdb.Sort(ctx, "l", &redis.Sort{Order: "DESC"}).Result()
		if err != nil || len(sorted) != 3 || sorted[0] != "3" || sorted[2] != "1" {
			t.Fatalf("SORT DESC = %v, %v", sorted, err)
		}
	})
}
