package resp

import (
	"math"
	"testing"
)

// TestParseFloatArg states which scores Redis 7.0 takes (getDoubleFromObject);
// each answer was checked against redis-server 7.0.15's ZADD.
func TestParseFloatArg(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"-1.5", -1.5, true}, {"+2", 2, true}, {".5", 0.5, true}, {"1.", 1, true},
		{"1e3", 1000, true}, {"inf", math.Inf(1), true}, {"-inf", math.Inf(-1), true},
		{"+Infinity", math.Inf(1), true}, {"0x10", 16, true}, {"0x1p3", 8, true},
		{"1e-310", 1e-310, true}, {"0e-400", 0, true},
		{"", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"nan", 0, false}, {"abc", 0, false},
		{"1e500", 0, false}, {"1e-400", 0, false}, {"1e", 0, false}, {"0x", 0, false}, {"1_0", 0, false},
		{"infinit", 0, false}, {"--1", 0, false},
	}
	for _, c := range cases {
		got, ok := parseFloatArg(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("parseFloatArg(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestParseScoreRange states zslParseRange's looser rules (ZCOUNT, ZRANGEBYSCORE).
func TestParseScoreRange(t *testing.T) {
	cases := []struct {
		min, max string
		want     scoreRange
		ok       bool
	}{
		{"1", "2", scoreRange{min: 1, max: 2}, true},
		{"(1", "(2", scoreRange{min: 1, max: 2, minex: true, maxex: true}, true},
		{"-inf", "+inf", scoreRange{min: math.Inf(-1), max: math.Inf(1)}, true},
		{"", "(", scoreRange{maxex: true}, true}, // strtod takes "" as 0
		{" 1", "1e500", scoreRange{min: 1, max: math.Inf(1)}, true},
		{"1x", "2", scoreRange{}, false},
		{"nan", "2", scoreRange{}, false},
		{"((1", "2", scoreRange{}, false},
	}
	for _, c := range cases {
		got, ok := parseScoreRange(c.min, c.max)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("parseScoreRange(%q, %q) = %+v, %v; want %+v, %v", c.min, c.max, got, ok, c.want, c.ok)
		}
	}
}

// TestFormatScore checks "%.17g" as Redis 7.0 writes scores.
func TestFormatScore(t *testing.T) {
	cases := map[float64]string{
		1.1: "1.1000000000000001", 1e16: "10000000000000000", 123456789012345678: "1.2345678901234568e+17",
		0.0001: "0.0001", 0.00001: "1.0000000000000001e-05", 3: "3", -2.5: "-2.5",
		math.Inf(1): "inf", math.Inf(-1): "-inf", 1e-310: "9.9999999999999694e-311",
	}
	for v, want := range cases {
		if got := formatScore(v); got != want {
			t.Errorf("formatScore(%v) = %q; want %q", v, got, want)
		}
	}
}

// TestParseLexRange states zslParseLexRange's items.
func TestParseLexRange(t *testing.T) {
	for _, bad := range []string{"", "a", "+a", "--"} {
		if _, ok := parseLexRange(bad, "+"); ok {
			t.Errorf("parseLexRange(%q, +) accepted", bad)
		}
	}
	if r, ok := parseLexRange("-", "+"); !ok || r.empty() {
		t.Errorf("- + is empty or refused")
	}
	if r, _ := parseLexRange("+", "-"); !r.empty() {
		t.Errorf("+ - is not empty")
	}
	if r, _ := parseLexRange("[a", "(a"); !r.empty() {
		t.Errorf("[a (a is not empty")
	}
	if r, _ := parseLexRange("[a", "[a"); r.empty() {
		t.Errorf("[a [a is empty")
	}
}
