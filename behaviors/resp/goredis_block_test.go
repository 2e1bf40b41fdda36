package resp_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// waitBlocked waits until INFO clients says n clients are blocked, as
// Redis's own tests wait (wait_for_blocked_clients_count): a push sent
// before then could reach the key space before the command it is meant to
// wake.
func waitBlocked(t *testing.T, rdb *redis.Client, n int) {
	t.Helper()
	want := fmt.Sprintf("blocked_clients:%d\r\n", n)
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := rdb.Info(context.Background(), "clients").Result()
		if err != nil {
			t.Fatalf("INFO clients: %v", err)
		}
		if strings.Contains(info, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("INFO clients never said %q in 5 s; last:\n%s", strings.TrimSpace(want), info)
		}
		time.Sleep(time.Millisecond) // polling a condition, not guessing a delay
	}
}

// blockedResult is what a blocking command run in a goroutine returned.
type blockedResult struct {
	vals []string
	err  error
}

// inBackground runs f (a blocking command on its own client) in a goroutine
// and returns where its result arrives.
func inBackground(f func() ([]string, error)) <-chan blockedResult {
	ch := make(chan blockedResult, 1)
	go func() {
		v, err := f()
		ch <- blockedResult{v, err}
	}()
	return ch
}

func wantResult(t *testing.T, what string, ch <-chan blockedResult, want []string, wantErr error) {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != wantErr || !slices.Equal(r.vals, want) {
			t.Fatalf("%s = %q, %v; want %q, %v", what, r.vals, r.err, want, wantErr)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no answer in 10 s", what)
	}
}

// TestGoRedisBlockingWake ensures a blocked BLPOP, BRPOP, BLMOVE and BLMPOP
// is answered by the push that gives it an element, that clients blocked
// on one key are served first-blocked first, and that a BLMOVE's push wakes
// the client waiting on its destination.
func TestGoRedisBlockingWake(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		o := rdb.Options()
		a := redis.NewClient(&redis.Options{Addr: o.Addr, Protocol: o.Protocol, DB: o.DB, PoolSize: 1})
		b := redis.NewClient(&redis.Options{Addr: o.Addr, Protocol: o.Protocol, DB: o.DB, PoolSize: 1})
		t.Cleanup(func() { a.Close(); b.Close() })

		got := inBackground(func() ([]string, error) { return a.BLPop(ctx, 5*time.Second, "k1", "k2").Result() })
		waitBlocked(t, rdb, 1)
		must(t, "RPUSH", rdb.RPush(ctx, "k2", "v").Err())
		wantResult(t, "BLPOP k1 k2", got, []string{"k2", "v"}, nil)

		first := inBackground(func() ([]string, error) { return a.BRPop(ctx, 5*time.Second, "q").Result() })
		waitBlocked(t, rdb, 1)
		second := inBackground(func() ([]string, error) { return b.BRPop(ctx, 5*time.Second, "q").Result() })
		waitBlocked(t, rdb, 2)
		must(t, "RPUSH", rdb.RPush(ctx, "q", "x", "y", "z").Err())
		wantResult(t, "first BRPOP", first, []string{"q", "z"}, nil)
		wantResult(t, "second BRPOP", second, []string{"q", "y"}, nil)
		if got, _ := rdb.LRange(ctx, "q", 0, -1).Result(); !slices.Equal(got, []string{"x"}) {
			t.Fatalf("q after two BRPOPs = %q; want [x]", got)
		}

		// b waits on dst, a moves src -> dst: one push to src serves both.
		last := inBackground(func() ([]string, error) { return b.BLPop(ctx, 5*time.Second, "dst").Result() })
		waitBlocked(t, rdb, 1)
		moved := inBackground(func() ([]string, error) {
			v, err := a.BLMove(ctx, "src", "dst", "LEFT", "RIGHT", 5*time.Second).Result()
			return []string{v}, err
		})
		waitBlocked(t, rdb, 2)
		must(t, "LPUSH", rdb.LPush(ctx, "src", "m").Err())
		wantResult(t, "BLMOVE", moved, []string{"m"}, nil)
		wantResult(t, "BLPOP on BLMOVE's destination", last, []string{"dst", "m"}, nil)

		mp := inBackground(func() ([]string, error) {
			key, vals, err := a.BLMPop(ctx, 5*time.Second, "left", 2, "none", "mp").Result()
			return append([]string{key}, vals...), err
		})
		waitBlocked(t, rdb, 1)
		must(t, "RPUSH", rdb.RPush(ctx, "mp", "1", "2", "3").Err())
		wantResult(t, "BLMPOP COUNT 2", mp, []string{"mp", "1", "2"}, nil)
		for _, k := range []string{"k2", "src", "dst"} {
			if n, _ := rdb.Exists(ctx, k).Result(); n != 0 {
				t.Fatalf("%s still exists, emptied by a blocked pop", k)
			}
		}
		waitBlocked(t, rdb, 0)
	})
}

// TestGoRedisBlockingTimeout ensures each blocking list command answers a
// null once its timeout has passed, and not before.
func TestGoRedisBlockingTimeout(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		const timeout = 100 * time.Millisecond // go-redis's BLPop and friends round up to 1 s: Do does not
		for _, args := range [][]any{
			{"blpop", "none", "0.1"},
			{"brpop", "none", "other", "0.1"},
			{"blmove", "none", "d", "left", "left", "0.1"},
			{"brpoplpush", "none", "d", "0.1"},
			{"blmpop", "0.1", 1, "none", "left"},
		} {
			start := time.Now()
			if err := rdb.Do(ctx, args...).Err(); err != redis.Nil {
				t.Fatalf("%v on no list: %v; want redis.Nil at the timeout", args, err)
			}
			// The key space's clock is in whole milliseconds (Redis's is too), so
			// a deadline may come up to 1 ms before the client's own clock says.
			if d := time.Since(start); d < timeout-time.Millisecond {
				t.Fatalf("%v answered after %v, before its %v timeout", args, d, timeout)
			}
		}
		waitBlocked(t, rdb, 0)
		wantErr(t, "BLPOP x", rdb.Do(ctx, "blpop", "k", "x").Err(), "ERR timeout is not a float or out of range")
		wantErr(t, "BLPOP -1", rdb.Do(ctx, "blpop", "k", "-1").Err(), "ERR timeout is negative")
	})
}

// TestBlockedClientGoes ensures a connection that closes while blocked
// leaves nothing parked in the key space: no blocked client is counted,
// and a later push stays in the list instead of going to the dead client.
func TestBlockedClientGoes(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	for _, cmd := range []string{
		"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n",
		"*6\r\n$6\r\nBLMOVE\r\n$1\r\nk\r\n$1\r\nd\r\n$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n",
		"*5\r\n$6\r\nBLMPOP\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\nk\r\n$4\r\nLEFT\r\n",
	} {
		c := srv.Dial(t)
		c.SendString(cmd + "*1\r\n$4\r\nPING\r\n") // the PING waits behind the blocked command
		waitBlocked(t, rdb, 1)
		c.Conn.Close()
		waitBlocked(t, rdb, 0)
		must(t, "RPUSH", rdb.RPush(ctx, "k", "v").Err())
		if n, err := rdb.LLen(ctx, "k").Result(); n != 1 || err != nil {
			t.Fatalf("after %q's client left, LLEN = %d, %v; want 1", cmd[:12], n, err)
		}
		must(t, "DEL", rdb.Del(ctx, "k").Err())
	}
}

// TestBlockedPipeline ensures a pipeline's commands after a blocked one
// wait for it, and are answered in order once it is.
func TestBlockedPipeline(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	c := srv.Dial(t)
	c.SendString("*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n")
	waitBlocked(t, rdb, 1)
	must(t, "RPUSH", rdb.RPush(context.Background(), "k", "a", "b").Err())
	c.ExpectString("*2\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n")
}

// TestBlockedServedFromWokenKey ensures a blocked client is served as Redis
// 7.0 serves it: from the key whose change woke it, not the first of its
// keys that holds a list (a transaction pushing kb then ka serves BLPOP ka kb
// from kb), and that a key becoming another type leaves it blocked instead
// of answering WRONGTYPE.
func TestBlockedServedFromWokenKey(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		o := rdb.Options()
		a := redis.NewClient(&redis.Options{Addr: o.Addr, Protocol: o.Protocol, DB: o.DB, PoolSize: 1})
		t.Cleanup(func() { a.Close() })

		got := inBackground(func() ([]string, error) { return a.BLPop(ctx, 5*time.Second, "ka", "kb").Result() })
		waitBlocked(t, rdb, 1)
		_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.RPush(ctx, "kb", "x")
			p.RPush(ctx, "ka", "y")
			return nil
		})
		must(t, "MULTI RPUSH kb RPUSH ka EXEC", err)
		wantResult(t, "BLPOP ka kb", got, []string{"kb", "x"}, nil)

		got = inBackground(func() ([]string, error) { return a.BLPop(ctx, 5*time.Second, "k2", "k").Result() })
		waitBlocked(t, rdb, 1)
		must(t, "SET k", rdb.Set(ctx, "k", "string", 0).Err())
		must(t, "RPUSH k2", rdb.RPush(ctx, "k2", "v").Err())
		wantResult(t, "BLPOP k2 k after SET k", got, []string{"k2", "v"}, nil)

		moved := inBackground(func() ([]string, error) {
			v, err := a.BLMove(ctx, "src", "dst", "LEFT", "LEFT", 5*time.Second).Result()
			return []string{v}, err
		})
		waitBlocked(t, rdb, 1)
		must(t, "SET src", rdb.Set(ctx, "src", "string", 0).Err())
		must(t, "DEL src", rdb.Del(ctx, "src").Err())
		must(t, "RPUSH src", rdb.RPush(ctx, "src", "m").Err())
		wantResult(t, "BLMOVE after SET src", moved, []string{"m"}, nil)
	})
}

// TestBlockingInMulti ensures the blocking list commands do not block in a
// transaction: on empty lists they answer at once, as Redis does (a null
// array, but a null for BLMOVE and BRPOPLPUSH), and pop when there is
// something.
func TestBlockingInMulti(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.BLPop(ctx, 0, "none")
			p.BLMove(ctx, "none", "d", "LEFT", "LEFT", 0)
			p.BLMPop(ctx, 0, "left", 1, "none")
			p.RPush(ctx, "l", "a")
			p.BRPop(ctx, 0, "l")
			return nil
		})
		if err != redis.Nil {
			t.Fatalf("EXEC: %v; want redis.Nil (the first nulls)", err)
		}
		for i, want := range []error{redis.Nil, redis.Nil, redis.Nil, nil, nil} {
			if cmds[i].Err() != want {
				t.Fatalf("command %d in EXEC (%v): %v; want %v", i, cmds[i].Args(), cmds[i].Err(), want)
			}
		}
		if got := cmds[4].(*redis.StringSliceCmd).Val(); !slices.Equal(got, []string{"l", "a"}) {
			t.Fatalf("BRPOP l in EXEC = %q", got)
		}
	})
}

// TestManyBlockedClientsGo ensures many clients that block (BLPOP, BLMOVE,
// BLMPOP on a few keys) and then vanish at once leave nothing parked: no
// blocked client is counted, and a push to each key afterwards stays there.
func TestManyBlockedClientsGo(t *testing.T) {
	const clients, keys = 300, 10
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	var conns []net.Conn
	for i := range clients {
		c, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
		k := fmt.Sprint("k", i%keys)
		cmd := [][]string{{"BLPOP", k, "0"}, {"BLMOVE", k, "d", "LEFT", "RIGHT", "0"}, {"BLMPOP", "0", "1", k, "LEFT"}}[i%3]
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(cmd))
		for _, w := range cmd {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(w), w)
		}
		if _, err := c.Write([]byte(b.String())); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	waitBlocked(t, rdb, clients)
	for _, c := range conns {
		c.Close()
	}
	waitBlocked(t, rdb, 0)
	for i := range keys {
		k := fmt.Sprint("k", i)
		must(t, "RPUSH", rdb.RPush(ctx, k, "v").Err())
		if n, err := rdb.LLen(ctx, k).Result(); n != 1 || err != nil {
			t.Fatalf("LLEN %s after its waiters left = %d, %v; want 1", k, n, err)
		}
	}
	if n, _ := rdb.Exists(ctx, "d").Result(); n != 0 {
		t.Fatal("a BLMOVE of a client that left moved an element")
	}
}
