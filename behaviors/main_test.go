package behaviors

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a goroutine a test started (TestStaticFIFO's
// request, the handlers' servers) outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
