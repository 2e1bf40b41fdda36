package resp

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestIntText ensures INCR's text is right, written in place when the key's
// string has room (0 allocations), and in a new array over one much larger.
func TestIntText(t *testing.T) {
	b := intText(nil, 7)
	for _, n := range []int64{8, -1, 1234567890, math.MaxInt64, math.MinInt64, 0} {
		before := &b[:1][0]
		b = intText(b, n)
		if string(b) != strconv.FormatInt(n, 10) {
			t.Errorf("intText(%d) = %q", n, b)
		}
		if &b[0] != before {
			t.Errorf("intText(%d) moved the text: want it written in place", n)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { b = intText(b, 42) }); allocs != 0 {
		t.Errorf("%v allocations for an INCR over a string with room; want 0", allocs)
	}
	big := []byte(strings.Repeat("9", 1000))[:3]
	if got := intText(big, 5); string(got) != "5" || cap(got) == cap(big) {
		t.Errorf("over a 1000-byte array: %q, capacity %d; want \"5\" in a new array", got, cap(got))
	}
}
