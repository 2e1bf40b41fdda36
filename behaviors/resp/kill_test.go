package resp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/testkit"
)

// killClientID asks c for its CLIENT ID.
func killClientID(t *testing.T, c *testkit.Client) string {
	t.Helper()
	c.SendString("CLIENT ID\r\n")
	line := c.ReadLine()
	if !strings.HasPrefix(line, ":") {
		t.Fatalf("CLIENT ID = %q", line)
	}
	return line[1:]
}

// listsClient reports whether CLIENT LIST has the client whose ID is id.
func listsClient(t *testing.T, rdb *redis.Client, id string) bool {
	t.Helper()
	list, err := rdb.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	for _, l := range strings.Split(list, "\n") {
		if strings.HasPrefix(l, "id="+id+" ") {
			return true
		}
	}
	return false
}

// TestKillBlocked ensures CLIENT KILL of a client blocked in BLPOP closes it
// at once, as Redis frees it: it reads EOF (with no timeout, and with one
// the kill does not wait for), its parked BLPOP takes nothing (the push
// serves the client blocked behind it), and CLIENT LIST no longer has it.
// The kill goes by ID, by ADDR, by the old ip:port form and by TYPE.
func TestKillBlocked(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	ctx := context.Background()
	kills := map[string]func(id, addr string) (string, string){
		"ID":   func(id, _ string) (string, string) { return "CLIENT KILL ID " + id + "\r\n", ":1\r\n" },
		"ADDR": func(_, addr string) (string, string) { return "CLIENT KILL ADDR " + addr + "\r\n", ":1\r\n" },
		"old":  func(_, addr string) (string, string) { return "CLIENT KILL " + addr + "\r\n", "+OK\r\n" },
	}
	for _, name := range []string{"ID", "ADDR", "old"} {
		for _, timeout := range []string{"0", "100"} {
			t.Run(name+"/timeout="+timeout, func(t *testing.T) {
				if err := rdb.FlushAll(ctx).Err(); err != nil {
					t.Fatal(err)
				}
				a, b, c := srv.Dial(t), srv.Dial(t), srv.Dial(t)
				aid := killClientID(t, a)
				a.SendString("BLPOP K " + timeout + "\r\n")
				waitBlocked(t, rdb, 1)
				b.SendString("BLPOP K " + timeout + "\r\n")
				waitBlocked(t, rdb, 2)

				kill, reply := kills[name](aid, a.Conn.LocalAddr().String())
				c.SendString(kill)
				c.ExpectString(reply)
				a.ExpectClosed()
				if listsClient(t, rdb, aid) {
					t.Fatalf("CLIENT LIST still has the killed client %s", aid)
				}
				c.SendString("RPUSH K x\r\n")
				c.ExpectString(":1\r\n")
				b.ExpectString("*2\r\n$1\r\nK\r\n$1\r\nx\r\n")
				c.SendString("LLEN K\r\n")
				c.ExpectString(":0\r\n")
			})
		}
	}
	t.Run("TYPE", func(t *testing.T) {
		if err := rdb.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		a, c := srv.Dial(t), srv.Dial(t)
		aid := killClientID(t, a)
		a.SendString("BLPOP K 0\r\n")
		waitBlocked(t, rdb, 1)
		c.SendString("CLIENT KILL TYPE normal SKIPME yes\r\n")
		if line := c.ReadLine(); line == ":0" {
			t.Fatalf("CLIENT KILL TYPE normal = %s", line)
		}
		a.ExpectClosed()
		if listsClient(t, rdb, aid) {
			t.Fatalf("CLIENT LIST still has the killed client %s", aid)
		}
		c.SendString("RPUSH K x\r\nLLEN K\r\n")
		c.ExpectString(":1\r\n:1\r\n")
	})
}

// TestKillBlockedPushAtOnce ensures a push sent as soon as CLIENT KILL has
// answered, on the killer's own connection and before the killed client's
// EOF is read, serves the client blocked behind the killed one: the kill is
// done when it answers, as Redis's is.
func TestKillBlockedPushAtOnce(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	for i := 0; i < 20; i++ {
		a, b, c := srv.Dial(t), srv.Dial(t), srv.Dial(t)
		aid := killClientID(t, a)
		a.SendString("BLPOP K 0\r\n")
		waitBlocked(t, rdb, 1)
		b.SendString("BLPOP K 0\r\n")
		waitBlocked(t, rdb, 2)
		c.SendString("CLIENT KILL ID " + aid + "\r\nRPUSH K x\r\n")
		c.ExpectString(":1\r\n:1\r\n")
		b.ExpectString("*2\r\n$1\r\nK\r\n$1\r\nx\r\n")
		a.ExpectClosed()
	}
}

// TestKillInMulti ensures CLIENT KILL closes a client in the middle of a
// MULTI with WATCHes at once, and that the key space forgets its watches.
func TestKillInMulti(t *testing.T) {
	srv := startResp(t)
	rdb := client(t, srv, 2)
	a, c := srv.Dial(t), srv.Dial(t)
	aid := killClientID(t, a)
	a.SendString("WATCH w1 w2\r\nMULTI\r\nSET w1 1\r\n")
	a.ExpectString("+OK\r\n+OK\r\n+QUEUED\r\n")
	c.SendString("TEST.WATCHING\r\n")
	c.ExpectString(":1\r\n")
	c.SendString("CLIENT KILL ID " + aid + "\r\n")
	c.ExpectString(":1\r\n")
	a.ExpectClosed()
	if listsClient(t, rdb, aid) {
		t.Fatalf("CLIENT LIST still has the killed client %s", aid)
	}
	c.SendString("TEST.WATCHING\r\nGET w1\r\n")
	c.ExpectString(":0\r\n$-1\r\n")
}
