package crossnode_test

import (
	"testing"

	"async_server/internal/binary"
	"async_server/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m, binary.Remove) }
