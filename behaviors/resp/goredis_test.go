package resp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/actors"
	"async_server/testkit"
)

// startResp starts a server running the resp behavior; adjust changes its
// config (the behavior's options) first.
func startResp(t *testing.T, adjust ...func(*actors.Config)) *testkit.Server {
	t.Helper()
	var opts []testkit.Option
	for _, f := range adjust {
		opts = append(opts, testkit.WithConfig(f))
	}
	return testkit.Start(t, "resp", opts...)
}

// client returns a go-redis client of srv speaking RESP proto (2 or 3),
// closed when the test ends (before the server is).
func client(t *testing.T, srv *testkit.Server, proto int) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: proto, PoolSize: 4})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// forProtocols runs f against one server with a RESP2 client, then a RESP3 one.
func forProtocols(t *testing.T, f func(t *testing.T, rdb *redis.Client)) {
	srv := startResp(t)
	for _, proto := range []int{2, 3} {
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[proto], func(t *testing.T) {
			rdb := client(t, srv, proto)
			if err := rdb.FlushAll(context.Background()).Err(); err != nil && !isUnknown(err) {
				t.Fatalf("FLUSHALL: %v", err)
			}
			f(t, rdb)
		})
	}
}

func isUnknown(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && len(re.Error()) > 15 && re.Error()[:15] == "ERR unknown com"
}

// TestGoRedisFirstCommands ensures go-redis, in RESP2 and RESP3, gets
// Redis's answers to the first commands: PING, ECHO, SET, GET, DEL, EXISTS,
// SELECT, an unknown command and a wrong arity, alone and pipelined.
func TestGoRedisFirstCommands(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		if got, err := rdb.Ping(ctx).Result(); got != "PONG" || err != nil {
			t.Fatalf("PING = %q, %v; want PONG", got, err)
		}
		if got, err := rdb.Echo(ctx, "hi\r\nthere").Result(); got != "hi\r\nthere" || err != nil {
			t.Fatalf("ECHO = %q, %v", got, err)
		}
		if err := rdb.Set(ctx, "k", "v\x00binary", 0).Err(); err != nil {
			t.Fatalf("SET: %v", err)
		}
		if got, err := rdb.Get(ctx, "k").Result(); got != "v\x00binary" || err != nil {
			t.Fatalf("GET = %q, %v", got, err)
		}
		if _, err := rdb.Get(ctx, "missing").Result(); err != redis.Nil {
			t.Fatalf("GET missing: err %v; want redis.Nil", err)
		}
		if n, err := rdb.Exists(ctx, "k", "missing", "k").Result(); n != 2 || err != nil {
			t.Fatalf("EXISTS = %d, %v; want 2", n, err)
		}
		if n, err := rdb.Del(ctx, "k", "missing").Result(); n != 1 || err != nil {
			t.Fatalf("DEL = %d, %v; want 1", n, err)
		}
		err := rdb.Do(ctx, "nosuch", "a").Err()
		if err == nil || err.Error() != "ERR unknown command 'nosuch', with args beginning with: 'a' " {
			t.Fatalf("unknown command: %v", err)
		}
		if err := rdb.Do(ctx, "get").Err(); err == nil || err.Error() != "ERR wrong number of arguments for 'get' command" {
			t.Fatalf("GET without a key: %v", err)
		}
		pipelined(t, rdb)
	})
}

// pipelined sends 100 SETs and GETs with a PING among them in one pipeline
// and checks every reply, in order.
func pipelined(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	pipe := rdb.Pipeline()
	var gets []*redis.StringCmd
	for i := range 100 {
		key := "p" + string(rune('a'+i%26)) + string(rune('0'+i/26))
		pipe.Set(ctx, key, i, 0)
		pipe.Ping(ctx)
		gets = append(gets, pipe.Get(ctx, key))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	for i, g := range gets {
		if n, err := g.Int(); n != i || err != nil {
			t.Fatalf("pipelined GET %d = %d, %v", i, n, err)
		}
	}
}

// TestGoRedisSelect ensures SELECT keeps databases apart, per connection.
func TestGoRedisSelect(t *testing.T) {
	srv := startResp(t)
	ctx := context.Background()
	db0 := client(t, srv, 3)
	db5 := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 5, PoolSize: 1})
	t.Cleanup(func() { db5.Close() })
	if err := db5.Set(ctx, "x", "five", 0).Err(); err != nil {
		t.Fatalf("SET in 5: %v", err)
	}
	if err := db0.Get(ctx, "x").Err(); err != redis.Nil {
		t.Fatalf("GET x in 0: %v; want nil", err)
	}
	if got, _ := db5.Get(ctx, "x").Result(); got != "five" {
		t.Fatalf("GET x in 5 = %q", got)
	}
	if err := db0.Do(ctx, "select", 16).Err(); err == nil || err.Error() != "ERR DB index is out of range" {
		t.Fatalf("SELECT 16: %v", err)
	}
}
