package protocol_test

import (
	"testing"

	"async_server/internal/leakcheck"
)

// TestMain fails the run if a goroutine outlives the tests.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// TestUpper runs the test of the behavior that Example_addingABehavior adds.
func TestUpper(t *testing.T) { testUpper(t) }

// TestTally runs the test of the behavior that Example_messageDriven adds.
func TestTally(t *testing.T) { testTally(t) }
