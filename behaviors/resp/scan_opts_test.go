package resp

import "testing"

// TestParseCursor checks scan_opts.go's cursors against what redis-server
// 7.0.15 took (HSCAN's reply) or refused ("ERR invalid cursor"): strtoul's
// rules.
func TestParseCursor(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"+0", 0, true}, {"007", 7, true},
		{"18446744073709551615", 1<<64 - 1, true}, {"-1", 1<<64 - 1, true},
		{"-18446744073709551615", 1, true},
		{"18446744073709551616", 0, false}, {"-18446744073709551616", 0, false},
		{" 0", 0, false}, {"0 ", 0, false}, {"-", 0, false}, {"+", 0, false}, {"1x", 0, false},
	}
	for _, c := range cases {
		got, ok := parseCursor([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseCursor(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
