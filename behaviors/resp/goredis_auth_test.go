package resp_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/actors"
)

// TestRequirePass ensures -requirepass as Redis's requirepass: every command
// but AUTH, HELLO (with AUTH), QUIT and RESET is refused with NOAUTH before
// AUTH (EXEC's refusal an EXECABORT, as Redis's), a wrong password is WRONGPASS, and go-redis given the password (it
// sends HELLO 3 AUTH, or AUTH in RESP2) works.
func TestRequirePass(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.Options.RESP.RequirePass = "s3cret" })
	c := srv.Dial(t)
	c.SendString("GET a\r\nEXEC\r\nAUTH wrong\r\nAUTH default wrong\r\nHELLO 3\r\nPING\r\nAUTH s3cret\r\nPING\r\n")
	c.ExpectString("-NOAUTH Authentication required.\r\n" +
		"-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n" +
		"-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
		"-WRONGPASS invalid username-password pair or user is disabled.\r\n" +
		"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n" +
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

// TestMaxMemory ensures that over -maxmemory (noeviction) the commands that
// may add data get Redis's OOM error while reads and deletes go on; that
// the limit is on the data, so a write is refused while the data is over it
// and allowed again once a DEL or FLUSHALL has brought it under (the Go
// heap's garbage does not count: on the old code, which compared the heap,
// every SET after FLUSHALL was still refused); and that CONFIG SET
// maxmemory 0 lifts the limit.
func TestMaxMemory(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.Options.RESP.MaxMemory = 1000 })
	rdb := client(t, srv, 3)
	ctx := context.Background()
	isOOM := func(err error) bool {
		return err != nil && err.Error() == "OOM command not allowed when used memory > 'maxmemory'."
	}
	// Checked before each command, as Redis: the data is within the limit
	// before this SET, over it after.
	if err := rdb.Set(ctx, "k", strings.Repeat("v", 2000), 0).Err(); err != nil {
		t.Fatalf("SET within maxmemory: %v", err)
	}
	if err := rdb.Set(ctx, "k2", "v", 0).Err(); !isOOM(err) {
		t.Fatalf("SET over maxmemory: %v; want OOM", err)
	}
	if err := rdb.Get(ctx, "k2").Err(); err != redis.Nil {
		t.Fatalf("GET over maxmemory: %v; want nil", err)
	}
	if err := rdb.Del(ctx, "k").Err(); err != nil {
		t.Fatalf("DEL over maxmemory: %v", err)
	}
	for i := 0; ; i++ {
		err := rdb.Set(ctx, "k"+strconv.Itoa(i), "v", 0).Err()
		if isOOM(err) {
			break
		}
		if err != nil || i > 20 {
			t.Fatalf("SET k%d under maxmemory 1000: %v (more than 20 small keys fit in 1000 bytes?)", i, err)
		}
	}
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL over maxmemory: %v", err)
	}
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET after FLUSHALL: %v", err)
	}
	if err := rdb.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatalf("CONFIG SET maxmemory 0: %v", err)
	}
	if err := rdb.Set(ctx, "big", strings.Repeat("v", 5000), 0).Err(); err != nil {
		t.Fatalf("SET without a limit: %v", err)
	}
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET without a limit: %v", err)
	}
}
