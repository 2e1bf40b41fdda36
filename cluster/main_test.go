package cluster

import (
	"os"
	"testing"

	"async_server/internal/binary"
	"async_server/internal/leakcheck"
)

// TestMain fails the run if a goroutine outlives the tests. The tests that
// start nodes run them as processes of the built binary (clustertest): the
// library leaves goroutines behind in the process that ran a node. So does
// BenchmarkRequest: it runs this test binary again as its two nodes
// (benchRole set), which run their role and exit here.
func TestMain(m *testing.M) {
	if role := os.Getenv(benchRole); role != "" {
		os.Exit(runBenchRole(role))
	}
	leakcheck.VerifyTestMain(m, binary.Remove)
}
