package resp

import (
	"strings"
	"testing"
)

// TestNewConfigMaxBulkLen ensures Options' proto-max-bulk-len is Redis's
// default when left zero and is refused below Redis's least (1mb), as CONFIG
// SET refuses it, instead of standing for the default whatever its sign.
func TestNewConfigMaxBulkLen(t *testing.T) {
	for in, want := range map[int64]int64{0: DefaultMaxBulkLen, MinMaxBulkLen: MinMaxBulkLen, 1 << 30: 1 << 30} {
		c, err := newConfig(Options{MaxBulkLen: in})
		if err != nil || c.maxBulkLen.Load() != want {
			t.Errorf("newConfig(MaxBulkLen %d): %v; want %d in force", in, err, want)
		}
	}
	for _, in := range []int64{-1, 5, MinMaxBulkLen - 1} {
		if _, err := newConfig(Options{MaxBulkLen: in}); err == nil || !strings.Contains(err.Error(), "at least 1048576") {
			t.Errorf("newConfig(MaxBulkLen %d): %v; want an error naming the least", in, err)
		}
	}
}
