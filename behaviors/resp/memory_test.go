package resp_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/behaviors/resp"
)

// usedMemory reads INFO memory's used_memory.
func usedMemory(t testing.TB, rdb *redis.Client) int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		t.Fatalf("INFO memory: %v", err)
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("used_memory:%s", v)
			}
			return n
		}
	}
	t.Fatalf("INFO memory has no used_memory: %q", info)
	return 0
}

// TestMemoryAccountingTracks ensures the store's count of used memory
// follows every write: after each command of the differential sequences
// (every list, hash, set and sorted set command, with their errors) and
// after each differential case (strings, expiry, RENAME, COPY, MOVE,
// SWAPDB, FLUSHDB, bitmaps, MULTI), TEST.MEMCHECK finds the running sums
// equal to a count made from scratch, walking every value's elements.
func TestMemoryAccountingTracks(t *testing.T) {
	srv := startResp(t)
	check := dialRESP(t, srv.Addr)
	memcheck := func(t *testing.T, after string) {
		t.Helper()
		if got := string(check.roundTrip(t, []string{"TEST.MEMCHECK"}, 1)); got != "+OK\r\n" {
			t.Fatalf("after %s: %q", after, got)
		}
	}
	files, _ := filepath.Glob("testdata/differential/*.txt")
	for _, f := range files {
		if strings.Contains(f, "pubsub") {
			continue // no key is written there
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			ours := dialRESP(t, srv.Addr)
			for _, line := range readSequence(t, f) {
				text, replies := strings.TrimLeft(line, "~?"), 1
				if strings.HasPrefix(text, "[") {
					end := strings.IndexByte(text, ']')
					replies, _ = strconv.Atoi(text[1:end])
					text = text[end+1:]
				}
				ours.roundTrip(t, splitWords(t, text), replies)
				memcheck(t, line)
			}
		})
	}
	t.Run("cases", func(t *testing.T) {
		for i, in := range diffCases {
			exchange(t, srv.Addr, unescape(in))
			memcheck(t, "case "+strconv.Itoa(i))
		}
	})
}

// TestMemoryBaselineAndSet ensures used_memory is the data set's: 0 after
// FLUSHALL whatever was written before, and a SET of an N-byte value under
// a k-byte key adds exactly the stated estimate, N + k + KeyOverhead +
// StrOverhead (docs/resp.md), and an expiry ExpireOverhead + k more.
func TestMemoryBaselineAndSet(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 3)
	ctx := context.Background()
	for i := range 200 {
		rdb.RPush(ctx, "list"+strconv.Itoa(i), strings.Repeat("x", i), "y")
		rdb.HSet(ctx, "h", "f"+strconv.Itoa(i), i)
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if got := usedMemory(t, rdb); got != 0 {
		t.Fatalf("used_memory after FLUSHALL = %d; want 0", got)
	}
	for _, n := range []int{1, 100, 10000, 1 << 20} {
		before := usedMemory(t, rdb)
		key := "key" + strconv.Itoa(n)
		rdb.Set(ctx, key, strings.Repeat("v", n), 0)
		want := int64(n + len(key) + resp.KeyOverhead + resp.StrOverhead)
		if got := usedMemory(t, rdb) - before; got != want {
			t.Errorf("SET of %d bytes grew used_memory by %d; want %d", n, got, want)
		}
		rdb.Expire(ctx, key, 1000e9)
		want += int64(resp.ExpireOverhead + len(key))
		if got := usedMemory(t, rdb) - before; got != want {
			t.Errorf("SET of %d bytes and EXPIRE grew used_memory by %d; want %d", n, got, want)
		}
	}
	rdb.FlushDB(ctx)
	if got := usedMemory(t, rdb); got != 0 {
		t.Fatalf("used_memory after FLUSHDB = %d; want 0", got)
	}
}
