package resp_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisServerGroup ensures COMMAND, CONFIG, INFO, DBSIZE, FLUSHDB,
// FLUSHALL, SWAPDB, TIME, LASTSAVE and OBJECT answer go-redis as Redis does,
// in RESP2 and RESP3.
func TestGoRedisServerGroup(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		n, err := rdb.Do(ctx, "command", "count").Int()
		if err != nil || n < 25 {
			t.Fatalf("COMMAND COUNT = %d, %v", n, err)
		}
		cmds, err := rdb.Command(ctx).Result()
		if err != nil || len(cmds) != n || cmds["get"] == nil || cmds["get"].Arity != 2 || !cmds["get"].ReadOnly {
			t.Fatalf("COMMAND = %d entries (get: %+v), %v; want %d", len(cmds), cmds["get"], err, n)
		}
		keys, err := rdb.CommandGetKeys(ctx, "del", "a", "b").Result()
		if err != nil || strings.Join(keys, ",") != "a,b" {
			t.Fatalf("COMMAND GETKEYS del a b = %v, %v", keys, err)
		}
		if err := rdb.ConfigSet(ctx, "maxmemory", "10mb").Err(); err != nil {
			t.Fatalf("CONFIG SET: %v", err)
		}
		got, err := rdb.ConfigGet(ctx, "maxmem*").Result()
		if err != nil || got["maxmemory"] != "10485760" || got["maxmemory-policy"] != "noeviction" {
			t.Fatalf("CONFIG GET maxmem* = %v, %v", got, err)
		}
		rdb.ConfigSet(ctx, "maxmemory", "0")
		rdb.Set(ctx, "a", "1", 0)
		rdb.Set(ctx, "b", "x", 0)
		if n, err := rdb.DBSize(ctx).Result(); n != 2 || err != nil {
			t.Fatalf("DBSIZE = %d, %v", n, err)
		}
		info, err := rdb.Info(ctx, "keyspace", "server").Result()
		if err != nil || !strings.Contains(info, "db0:keys=2,expires=0") || !strings.Contains(info, "redis_version:7.0") {
			t.Fatalf("INFO = %q, %v", info, err)
		}
		if enc, err := rdb.ObjectEncoding(ctx, "a").Result(); enc != "int" || err != nil {
			t.Fatalf("OBJECT ENCODING a = %q, %v", enc, err)
		}
		if err := rdb.Do(ctx, "swapdb", 0, 3).Err(); err != nil {
			t.Fatalf("SWAPDB: %v", err)
		}
		if n, _ := rdb.DBSize(ctx).Result(); n != 0 {
			t.Fatalf("DBSIZE after SWAPDB = %d", n)
		}
		if err := rdb.FlushAll(ctx).Err(); err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		if tm, err := rdb.Time(ctx).Result(); err != nil || tm.IsZero() {
			t.Fatalf("TIME = %v, %v", tm, err)
		}
	})
}

// TestGoRedisConnectionGroup ensures CLIENT ID, SETNAME, GETNAME, LIST,
// KILL and RESET work for go-redis, and that CLIENT INFO gives the
// listener's address as laddr, which CLIENT KILL LADDR matches.
func TestGoRedisConnectionGroup(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		conn := rdb.Conn()
		defer conn.Close()
		id, err := conn.ClientID(ctx).Result()
		if err != nil || id <= 0 {
			t.Fatalf("CLIENT ID = %d, %v", id, err)
		}
		if err := conn.ClientSetName(ctx, "worker").Err(); err != nil {
			t.Fatalf("CLIENT SETNAME: %v", err)
		}
		if name, err := conn.ClientGetName(ctx).Result(); name != "worker" || err != nil {
			t.Fatalf("CLIENT GETNAME = %q, %v", name, err)
		}
		list, err := rdb.ClientList(ctx).Result()
		if err != nil || !strings.Contains(list, "name=worker") {
			t.Fatalf("CLIENT LIST = %q, %v", list, err)
		}
		laddr := " laddr=" + rdb.Options().Addr + " " // the listener's address, as Redis gives it
		if info, err := conn.Do(ctx, "client", "info").Text(); err != nil || !strings.Contains(info, laddr) {
			t.Fatalf("CLIENT INFO = %q, %v; want %q in it", info, err, laddr)
		}
		victim := rdb.Conn()
		defer victim.Close()
		vid, _ := victim.ClientID(ctx).Result()
		if n, err := conn.ClientKillByFilter(ctx, "ID", itoa(vid)).Result(); n != 1 || err != nil {
			t.Fatalf("CLIENT KILL ID = %d, %v", n, err)
		}
		if err := victim.Ping(ctx).Err(); err == nil {
			t.Fatalf("PING on a killed connection succeeded")
		}
		if got, err := conn.Do(ctx, "reset").Text(); got != "RESET" || err != nil {
			t.Fatalf("RESET = %q, %v", got, err)
		}
		if err := conn.ClientGetName(ctx).Err(); err != redis.Nil {
			t.Fatalf("CLIENT GETNAME after RESET: %v; want nil", err)
		}
		other := rdb.Conn()
		defer other.Close()
		if err := other.Ping(ctx).Err(); err != nil {
			t.Fatalf("PING: %v", err)
		}
		if n, err := conn.ClientKillByFilter(ctx, "LADDR", rdb.Options().Addr).Result(); n < 1 || err != nil {
			t.Fatalf("CLIENT KILL LADDR = %d, %v; want the other connections to this listener", n, err)
		}
		if err := other.Ping(ctx).Err(); err == nil {
			t.Fatalf("PING on a connection killed by LADDR succeeded")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestGoRedisTransactions ensures MULTI/EXEC runs queued commands, that
// WATCH makes EXEC fail when another client changed the key, and that a
// queued error aborts.
func TestGoRedisTransactions(t *testing.T) {
	srv := startResp(t)
	for _, proto := range []int{2, 3} {
		rdb := client(t, srv, proto)
		other := client(t, srv, proto)
		ctx := context.Background()
		cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "k", "1", 0)
			p.Ping(ctx)
			p.Get(ctx, "k")
			return nil
		})
		if err != nil || len(cmds) != 3 || cmds[2].(*redis.StringCmd).Val() != "1" {
			t.Fatalf("RESP%d: MULTI SET PING GET EXEC = %v, %v", proto, cmds, err)
		}
		err = rdb.Watch(ctx, func(tx *redis.Tx) error {
			other.Set(ctx, "k", "changed", 0)
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "k", "mine", 0)
				return nil
			})
			return err
		}, "k")
		if err != redis.TxFailedErr {
			t.Fatalf("RESP%d: EXEC after a watched key changed: %v; want TxFailedErr", proto, err)
		}
		if v, _ := rdb.Get(ctx, "k").Result(); v != "changed" {
			t.Fatalf("RESP%d: k = %q after the failed EXEC; want changed", proto, v)
		}
		_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "k", "x", 0)
			p.Do(ctx, "nosuch")
			return nil
		})
		if err == nil || !strings.HasPrefix(err.Error(), "EXECABORT") && !strings.Contains(err.Error(), "unknown command") {
			t.Fatalf("RESP%d: EXEC with an unknown command queued: %v; want EXECABORT", proto, err)
		}
		if v, _ := rdb.Get(ctx, "k").Result(); v != "changed" {
			t.Fatalf("RESP%d: k = %q after EXECABORT; want changed", proto, v)
		}
	}
}
