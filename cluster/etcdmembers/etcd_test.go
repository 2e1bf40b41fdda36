package etcdmembers

import (
	"testing"

	"async_server/cluster/clustertest"
	"async_server/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// startEtcd starts a real etcd (Debian's etcd-server) on loopback ports
// chosen at run time, killed by its PID when the test ends, or skips the
// test where there is none. It grants 1 s leases (a short election timeout).
func startEtcd(t testing.TB) *clustertest.Etcd { return clustertest.StartEtcd(t) }
