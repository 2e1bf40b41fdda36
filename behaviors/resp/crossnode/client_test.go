package crossnode_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"async_server/cluster/clustertest"
)

// waitReply bounds one command or one read: generous, as the nodes are
// -race binaries on a shared machine; a reply that comes returns at once.
const waitReply = 20 * time.Second

// client returns a go-redis client of node n, closed when t ends.
func client(t testing.TB, n *clustertest.Node) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: n.Listen, PoolSize: 2, MaxRetries: -1,
		ReadTimeout: waitReply, WriteTimeout: waitReply, DialTimeout: waitReply})
	t.Cleanup(func() { c.Close() })
	return c
}

// ctx returns a context that ends after waitReply.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), waitReply)
	t.Cleanup(cancel)
	return c
}
