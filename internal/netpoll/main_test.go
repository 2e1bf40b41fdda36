package netpoll

import (
	"testing"

	"async_server/internal/leakcheck"
)

// TestMain fails the package's tests if a goroutine outlives them.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
