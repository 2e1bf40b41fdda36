package crossnode_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"async_server/cluster/clustertest"
)

// checkNodeCounts checks that DBSIZE and INFO keyspace on each node count
// the keys of the shards that node hosts, as Redis Cluster's count the keys
// of the node asked: keys holds one key per shard (keys[i] in shard i), and
// nothing else is set yet.
func checkNodeCounts(t *testing.T, nodes []*clustertest.Node, keys []string) {
	t.Helper()
	total := int64(0)
	for _, n := range nodes {
		want := 0
		for shard := range keys {
			if ownerOf(nodes, strconv.Itoa(shard)) == n.Addr {
				want++
			}
		}
		cl := client(t, n)
		got, err := cl.DBSize(ctx(t)).Result()
		if err != nil || got != int64(want) {
			t.Fatalf("DBSIZE on %s: %d, %v; want %d (the keys of the shards it hosts)", n.Addr, got, err, want)
		}
		total += got
		info, err := cl.Info(ctx(t), "keyspace").Result()
		line := fmt.Sprintf("db0:keys=%d,expires=0,", want)
		if err != nil || (want > 0) != strings.Contains(info, line) || want == 0 && strings.Contains(info, "db0:") {
			t.Fatalf("INFO keyspace on %s: %q, %v; want the line %q", n.Addr, info, err, line)
		}
	}
	if total != int64(len(keys)) {
		t.Fatalf("DBSIZE over the nodes: %d; want %d", total, len(keys))
	}
}
