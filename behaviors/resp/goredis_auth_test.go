package resp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/actors"
)

// TestRequirePass ensures -requirepass as Redis's requirepass: every command
// but AUTH, HELLO (with AUTH), QUIT and RESET is refused with NOAUTH before
// AUTH, a wrong password is WRONGPASS, and go-redis given the password (it
// sends HELLO 3 AUTH, or AUTH in RESP2) works.
func TestRequirePass(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.Options.RESP.RequirePass = "s3cret" })
	c := srv.Dial(t)
	c.SendString("GET a\r\nAUTH wrong\r\nAUTH default wrong\r\nHELLO 3\r\nPING\r\nAUTH s3cret\r\nPING\r\n")
	c.ExpectString("-NOAUTH Authentication required.\r\n" +
		"-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
		"-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
		"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n" +
		"-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n")
	u := srv.Dial(t)
	u.SendString("*11\r\n")
	u.ExpectString("-ERR Protocol error: unauthenticated multibulk length\r\n")
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: proto, Password: "s3cret", PoolSize: 1})
		t.Cleanup(func() { rdb.Close() })
		if err := rdb.Set(context.Background(), "k", "v", 0).Err(); err != nil {
			t.Fatalf("RESP%d: SET with the password: %v", proto, err)
		}
		bad := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: proto, Password: "nope", PoolSize: 1})
		t.Cleanup(func() { bad.Close() })
		if err := bad.Ping(context.Background()).Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGPASS") {
			t.Fatalf("RESP%d: PING with a wrong password: %v; want WRONGPASS", proto, err)
		}
	}
}

// TestMaxMemory ensures that over -maxmemory the commands that may add data
// get Redis's OOM error (noeviction) while reads and deletes go on, and that
// CONFIG SET maxmemory 0 lifts the limit.
func TestMaxMemory(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.Options.RESP.MaxMemory = 1 }) // any heap is over it
	rdb := client(t, srv, 3)
	ctx := context.Background()
	err := rdb.Set(ctx, "k", "v", 0).Err()
	if err == nil || err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("SET over maxmemory: %v; want OOM", err)
	}
	if err := rdb.Get(ctx, "k").Err(); err != redis.Nil {
		t.Fatalf("GET over maxmemory: %v; want nil", err)
	}
	if err := rdb.Del(ctx, "k").Err(); err != nil {
		t.Fatalf("DEL over maxmemory: %v", err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatalf("CONFIG SET maxmemory 0: %v", err)
	}
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET without a limit: %v", err)
	}
}
