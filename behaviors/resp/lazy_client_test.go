package resp_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// dialPing opens a raw connection to addr and makes one PING round trip: a
// client that has not touched the key space.
func dialPing(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "+PONG\r\n" {
		t.Fatalf("PING: %q, %v", line, err)
	}
	return c
}

// waitFor polls cond every 5 ms for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestKeySpaceKnowsOnlyItsClients ensures the key space keeps a record of a
// connection (and watches it) only once it has sent a key-space command, so
// an idle connection that never did costs it nothing, and that such a
// connection still leaves CLIENT LIST when it ends and can still be killed
// with CLIENT KILL. On the old code every connection had a record from its
// start: TEST.CLIENTS answered 3 where it now answers 1.
func TestKeySpaceKnowsOnlyItsClients(t *testing.T) {
	srv := startResp(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, PoolSize: 1})
	t.Cleanup(func() { rdb.Close() })
	records := func() int64 {
		n, err := rdb.Do(ctx, "test.clients").Int64()
		if err != nil {
			t.Fatalf("TEST.CLIENTS: %v", err)
		}
		return n
	}
	listed := func() int { return strings.Count(rdb.ClientList(ctx).Val(), "id=") }

	pinger := dialPing(t, srv.Addr)
	quiet := dialPing(t, srv.Addr)
	if n := records(); n != 1 {
		t.Fatalf("TEST.CLIENTS = %d after two connections made only a PING; want 1 (the asker)", n)
	}
	if n := listed(); n != 3 {
		t.Fatalf("CLIENT LIST has %d clients; want 3", n)
	}

	if _, err := pinger.Write([]byte("GET k\r\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the GET's record", func() bool { return records() == 2 })
	pinger.Close()
	waitFor(t, "the closed connection's record to go", func() bool { return records() == 1 })
	quiet.Close()
	waitFor(t, "both closed connections to leave CLIENT LIST", func() bool { return listed() == 1 })

	// A connection the key space has no record of can still be killed.
	victim := dialPing(t, srv.Addr)
	waitFor(t, "the new connection in CLIENT LIST", func() bool { return listed() == 2 })
	if n, err := rdb.ClientKillByFilter(ctx, "SKIPME", "yes").Result(); n != 1 || err != nil {
		t.Fatalf("CLIENT KILL SKIPME yes = %d, %v; want 1", n, err)
	}
	victim.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := victim.Read(make([]byte, 1)); err == nil {
		t.Fatal("the killed connection is still open")
	}
}
