package resp_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestClientsVanish connects 500 clients (the 10 000, scaled to what
// runs in seconds under -race), each parking a BLPOP, subscribing or
// watching, and closes them all without a word: afterwards nothing is left in
// any service (INFO's blocked_clients 0, PUBSUB NUMSUB 0, connected_clients
// 1: the probe), a push is not taken by a vanished BLPOP, and the goroutines
// are back to what they were.
func TestClientsVanish(t *testing.T) {
	srv := startResp(t)
	probe := client(t, srv, 2)
	ctx := context.Background()
	if err := probe.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	goroutines := runtime.NumGoroutine()

	const n = 500
	cmds := []string{"BLPOP q%d 0\r\n", "SUBSCRIBE ch%d\r\n", "WATCH w%d\r\n"}
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
		if _, err := fmt.Fprintf(c, cmds[i%3], i%10); err != nil {
			t.Fatal(err)
		}
	}
	waitInfo(t, probe, "clients", fmt.Sprintf("blocked_clients:%d\r\n", (n+2)/3))
	waitInfo(t, probe, "clients", fmt.Sprintf("connected_clients:%d\r\n", n+1))
	for _, c := range conns {
		c.Close()
	}
	waitInfo(t, probe, "clients", "blocked_clients:0\r\n")
	waitInfo(t, probe, "clients", "connected_clients:1\r\n")
	chans := make([]string, 10)
	for i := range chans {
		chans[i] = fmt.Sprintf("ch%d", i)
	}
	subs, err := probe.PubSubNumSub(ctx, chans...).Result()
	if err != nil {
		t.Fatal(err)
	}
	for ch, k := range subs {
		if k != 0 {
			t.Errorf("PUBSUB NUMSUB %s: %d after every subscriber went", ch, k)
		}
	}
	if k, err := probe.PubSubNumPat(ctx).Result(); err != nil || k != 0 {
		t.Errorf("PUBSUB NUMPAT: %d, %v", k, err)
	}
	if err := probe.RPush(ctx, "q0", "x").Err(); err != nil {
		t.Fatal(err)
	}
	if l := probe.LLen(ctx, "q0").Val(); l != 1 {
		t.Errorf("LLEN q0: %d after a push; a vanished BLPOP took it", l)
	}
	waitGoroutines(t, goroutines)
}

// waitInfo polls INFO section until it holds want.
func waitInfo(t *testing.T, rdb *redis.Client, section, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		info := rdb.Info(context.Background(), section).Val()
		if strings.Contains(info, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("INFO %s never said %q in 10 s; last:\n%s", section, strings.TrimSpace(want), info)
		}
		time.Sleep(time.Millisecond) // polling a condition, not guessing a delay
	}
}

// waitGoroutines waits until no more goroutines run than before (a few of
// the runtime's and the client pool's may come and go: slack of 5).
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		now := runtime.NumGoroutine()
		if now <= before+5 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before the clients came and went:\n%s", now, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond) // polling a condition
	}
}
