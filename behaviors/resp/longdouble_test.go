package resp

import (
	"strings"
	"testing"
)

// ldCases are HINCRBYFLOAT h f INCR on a field holding INIT, with
// redis-server 7.0.15's reply (x86-64): the value, or the error (without its
// "-"). A reply longer than 60 bytes is given by its first and last 12
// bytes and its length.
var ldCases = []struct {
	init, incr, want, tail string
	n                      int
}{
	{"0", "0.1", "0.1", "", 0},
	{"0.1", "0.2", "0.3", "", 0},
	{"9223372036854775806", "1.5", "9223372036854775807.5", "", 0},
	{"1e308", "1e308", "199999999999", "687857156096", 309},
	{"3.0e3", "-3000", "0", "", 0},
	{"0", "-0.0", "0", "", 0},
	{"0", "0x10", "16", "", 0},
	{"0", "1.23456789012345678", "1.23456789012345678", "", 0},
	{"1.50", "0", "1.5", "", 0},
	{"0", "1e-20", "0", "", 0},
	{"0", "-1e-20", "0", "", 0},
	{"0", "1e-17", "0.00000000000000001", "", 0},
	{"0", "5e-18", "0", "", 0},
	{"0", "1.5e-17", "0.00000000000000002", "", 0},
	{"0", "2.5e-17", "0.00000000000000002", "", 0},
	{"1", "1e4000", "999999999999", "349901340672", 4000},
	{"0", "0x1.8p1", "3", "", 0},
	{"0", "0X1P-2", "0.25", "", 0},
	{"0", "INF", "-ERR value is NaN or Infinity", "", 0},
	{"0", "-Infinity", "-ERR value is NaN or Infinity", "", 0},
	{"inf", "1", "-ERR increment would produce NaN or Infinity", "", 0},
	{"0", "1e4933", "-ERR value is not a valid float", "", 0},
	{"0", "1e-4950", "0", "", 0},
	{"0", "1e-4960", "-ERR value is not a valid float", "", 0},
	{"0", "0e99999999999", "0", "", 0},
	{"0", "1.", "1", "", 0},
	{"0", ".5", "0.5", "", 0},
	{"0", ".", "-ERR value is not a valid float", "", 0},
	{"0", "0x", "-ERR value is not a valid float", "", 0},
	{"0", "1e", "-ERR value is not a valid float", "", 0},
	{"0", "1e+3", "1000", "", 0},
	{"0", "+7", "7", "", 0},
	{"0", "nan", "-ERR value is not a valid float", "", 0},
	{"0", "1_000", "-ERR value is not a valid float", "", 0},
	{"0", "0b1", "-ERR value is not a valid float", "", 0},
	{"0", " 1", "-ERR value is not a valid float", "", 0},
	{"0", "1 ", "-ERR value is not a valid float", "", 0},
	{"0", "12345678901234567890123", "12345678901234567889920", "", 0},
	{"0", "-12345678901234567890123.5", "-12345678901234567889920", "", 0},
	{"0", "3.14159265358979323846264338327950288", "3.14159265358979324", "", 0},
	{"1e4932", "1e4932", "-ERR increment would produce NaN or Infinity", "", 0},
	{"1.18973149535723176502e4932", "0", "118973149535", "811989770240", 4933},
	{"0", "1.18973149535723176502e4932", "118973149535", "811989770240", 4933},
	{"0", "4e-4951", "0", "", 0},
	{"0", "-0", "0", "", 0},
	{"-1e-30", "0", "0", "", 0},
	{"100", "-100.000000000000000001", "0", "", 0},
	{"0", "0.000000000000000005", "0", "", 0},
	{"0", "0.000000000000000015", "0.00000000000000002", "", 0},
	{"0", "0.000000000000000025", "0.00000000000000002", "", 0},
}

// hincrByFloat does what HINCRBYFLOAT does to a field's value with the
// functions of longdouble.go, and returns the reply's text.
func hincrByFloat(init, incr string) string {
	inc, ok := parseLongDouble([]byte(incr))
	if !ok {
		return "-ERR value is not a valid float"
	}
	if inc.IsInf() {
		return "-ERR value is NaN or Infinity"
	}
	v, ok := parseLongDouble([]byte(init))
	if !ok {
		return "-ERR hash value is not a float"
	}
	sum, ok := addLongDouble(v, inc)
	if !ok {
		return "-ERR increment would produce NaN or Infinity"
	}
	return string(appendLongDouble(nil, sum))
}

// TestLongDoubleAgainstRedis checks parsing, long double addition and
// printing against what redis-server answered for the same values.
func TestLongDoubleAgainstRedis(t *testing.T) {
	for _, c := range ldCases {
		got := hincrByFloat(c.init, c.incr)
		if c.n == 0 {
			if got != c.want {
				t.Errorf("HINCRBYFLOAT %q by %q = %q; want %q", c.init, c.incr, got, c.want)
			}
			continue
		}
		if len(got) != c.n || !strings.HasPrefix(got, c.want) || !strings.HasSuffix(got, c.tail) {
			t.Errorf("HINCRBYFLOAT %q by %q = %d bytes %.12s...%s; want %d bytes %s...%s",
				c.init, c.incr, len(got), got, got[max(0, len(got)-12):], c.n, c.want, c.tail)
		}
	}
}
