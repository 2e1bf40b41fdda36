package resp_test

import (
	"testing"

	"async_server/internal/leakcheck"
)

// TestMain fails the run if a goroutine a test started (a go-redis pool's,
// a server's) outlives the tests.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
