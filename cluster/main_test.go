package cluster

import (
	"testing"

	"async_server/internal/leakcheck"
)

// TestMain fails the run if a goroutine outlives the tests. The tests that
// start nodes run them as processes of the built binary (clustertest): the
// library leaves goroutines behind in the process that ran a node.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
