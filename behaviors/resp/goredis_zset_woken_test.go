package resp_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestBlockedZsetServedFromWokenKey is TestBlockedServedFromWokenKey for
// BZPOPMIN and BZMPOP, which Redis 7.0 serves as it serves BLPOP (checked
// against redis-server 7.0.15): from the key whose change woke them, not
// the first of their keys that holds a sorted set (a transaction adding to
// kb then ka serves BZPOPMIN ka kb from kb), and a key becoming another
// type leaves them blocked instead of answering WRONGTYPE.
func TestBlockedZsetServedFromWokenKey(t *testing.T) {
	perProtocol(t, func(t *testing.T, rdb *redis.Client) {
		ctx := context.Background()
		o := rdb.Options()
		a := redis.NewClient(&redis.Options{Addr: o.Addr, Protocol: o.Protocol, DB: o.DB, PoolSize: 1})
		t.Cleanup(func() { a.Close() })
		bzpopmin := func(keys ...string) func() ([]string, error) {
			return func() ([]string, error) {
				z, err := a.BZPopMin(ctx, 5*time.Second, keys...).Result()
				if err != nil {
					return nil, err
				}
				return []string{z.Key, z.Member.(string)}, nil
			}
		}
		bzmpop := func(keys ...string) func() ([]string, error) {
			return func() ([]string, error) {
				key, zz, err := a.BZMPop(ctx, 5*time.Second, "min", 1, keys...).Result()
				return append([]string{key}, names(zz)...), err
			}
		}
		for _, c := range []struct {
			what string
			pop  func(keys ...string) func() ([]string, error)
		}{{"BZPOPMIN", bzpopmin}, {"BZMPOP", bzmpop}} {
			got := inBackground(c.pop("ka", "kb"))
			waitBlocked(t, rdb, 1)
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZAdd(ctx, "kb", redis.Z{Score: 1, Member: "x"})
				p.ZAdd(ctx, "ka", redis.Z{Score: 2, Member: "y"})
				return nil
			})
			must(t, "MULTI ZADD kb ZADD ka EXEC", err)
			wantResult(t, c.what+" ka kb", got, []string{"kb", "x"}, nil)

			got = inBackground(c.pop("k2", "k"))
			waitBlocked(t, rdb, 1)
			must(t, "SET k", rdb.Set(ctx, "k", "string", 0).Err())
			must(t, "ZADD k2", rdb.ZAdd(ctx, "k2", redis.Z{Score: 1, Member: "v"}).Err())
			wantResult(t, c.what+" k2 k after SET k", got, []string{"k2", "v"}, nil)
			must(t, "DEL", rdb.Del(ctx, "ka", "kb", "k", "k2").Err())
		}
	})
}
