package web

import (
	"testing"

	"async_server/internal/leakcheck"
)

// TestMain fails the run if a goroutine a test started (TestStaticFIFO's
// request, the handlers' servers) outlives the tests.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }
