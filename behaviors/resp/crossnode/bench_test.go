package crossnode_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"async_server/cluster/clustertest"
)

// BenchmarkKeysCluster measures a GET and a SET, one at a time (-P 1), from
// a client of node A, for a key whose shard is on A (the router and the
// grain on one node) and one whose shard is on B (a round trip between
// nodes), with nodes built without -race. It reports the mean (ns/op) and
// the p50 and p99 latency in microseconds.
//
//	go test -run '^$' -bench KeysCluster -benchtime 5000x ./behaviors/resp/crossnode/
func BenchmarkKeysCluster(b *testing.B) {
	bin := clustertest.BuildWithoutRace(b)
	nodes := clustertest.Start(b, clustertest.Options{Binary: bin, Behavior: "resp"})
	clustertest.WaitFormed(b, nodes)
	a := client(b, nodes[0])
	for _, where := range []struct {
		name string
		node *clustertest.Node
	}{{"ShardOnA", nodes[0]}, {"ShardOnB", nodes[1]}} {
		key := keyOn(b, nodes, where.node)
		for _, op := range []string{"SET", "GET"} {
			b.Run(where.name+"/"+op, func(b *testing.B) {
				if err := a.Set(ctx(b), key, "v", 0).Err(); err != nil {
					b.Fatal(err)
				}
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for range b.N {
					start := time.Now()
					var err error
					if op == "SET" {
						err = a.Set(ctx(b), key, "value", 0).Err()
					} else {
						err = a.Get(ctx(b), key).Err()
					}
					if err != nil && err != redis.Nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-us")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-us")
			})
		}
	}
}

// keyOn returns a key whose shard grain node n hosts.
func keyOn(tb testing.TB, nodes []*clustertest.Node, n *clustertest.Node) string {
	tb.Helper()
	for shard := range 16 {
		if ownerOf(nodes, strconv.Itoa(shard)) == n.Addr {
			return keyIn(tb, shard, "bench")
		}
	}
	tb.Fatalf("node %s hosts no shard", n.Addr)
	return ""
}
