package main

// The numeric flags: sizes in bytes, taken as -maxmemory takes them, and
// counts. The flag package's own IntVar and Int64Var parse Go's integer
// literals: "0100" was octal 64, "0x10" and "1_000" were taken, and "1gb" was
// a bare "parse error", while -maxmemory took units. Every number on the
// command line is now decimal.

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"async_server/behaviors/resp"
)

// numberFlag is an int or int64 flag that parses decimal digits only, with
// -maxmemory's units (resp.ParseMemory: k is 1000, kb 1024, any case) when it
// is a size in bytes, and refuses what its field cannot hold past max. A
// leading "-" is taken, so that the config's Validate refuses a negative
// value in the words every limit uses ("-max-body: -1 is negative").
type numberFlag[T int | int64] struct {
	p     *T
	units bool   // a size in bytes: takes -maxmemory's units
	max   int64  // the largest value taken
	why   string // why max is the largest, for the error
}

// sizeVar defines a size flag in bytes, with units, up to max.
func sizeVar[T int | int64](fs *flag.FlagSet, p *T, name string, max int64, why, usage string) {
	fs.Var(&numberFlag[T]{p: p, units: true, max: max, why: why}, name, usage)
}

// countVar defines a decimal flag without units (a count, or -log-max-size's
// megabytes), up to max.
func countVar[T int | int64](fs *flag.FlagSet, p *T, name string, max int64, why, usage string) {
	fs.Var(&numberFlag[T]{p: p, max: max, why: why}, name, usage)
}

func (f *numberFlag[T]) String() string {
	if f == nil || f.p == nil { // the flag package's zero value, for -h
		return "0"
	}
	return strconv.FormatInt(int64(*f.p), 10)
}

// Set parses v; the flag package quotes it and names the flag in front of
// the error.
func (f *numberFlag[T]) Set(v string) error {
	digits, negative := strings.CutPrefix(v, "-")
	n, ok := parseDecimal(digits, f.units)
	if !ok {
		if f.units {
			return errors.New("want a decimal number of bytes with an optional unit b, k, kb, m, mb, g or gb (k is 1000, kb 1024), e.g. 64kb; no fraction, no 0x")
		}
		return errors.New("want a decimal number, digits only")
	}
	if n > f.max {
		return fmt.Errorf("above %d, the largest it takes%s", f.max, f.why)
	}
	if negative {
		n = -n
	}
	*f.p = T(n)
	return nil
}

// parseDecimal parses decimal digits, with a unit when units is set; ok is
// false for anything else, and for a value past an int64.
func parseDecimal(s string, units bool) (n int64, ok bool) {
	if units {
		return resp.ParseMemory(s)
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// The largest values of the numeric flags whose use bounds them below their
// field's type.
const (
	// maxSendBuffer: setsockopt takes SO_SNDBUF as a C int; a larger value
	// was cut to 32 bits (4294967296 became the kernel's minimum).
	maxSendBuffer = math.MaxInt32
	// maxLogSize: lumberjack counts -log-max-size megabytes in bytes, an
	// int64; past this they overflowed, and every entry was refused.
	maxLogSize = math.MaxInt64 >> 20
)

// rateFlag is -chaos's rate of faults per second: a decimal number with an
// optional fraction or exponent (0.5, 2.5, 1e3). The flag package's Float64Var
// took Go's float literals, "1_0" and the hex "0x1p4" among them, against
// the rule that numbers are decimal, and called anything else a bare "parse
// error". NaN, Inf and a negative value parse, for the config's Validate to
// refuse in the words of the rest ("-chaos: NaN is not a rate").
type rateFlag struct{ p *float64 }

func (f rateFlag) String() string {
	if f.p == nil { // the flag package's zero value, for -h
		return "0"
	}
	return strconv.FormatFloat(*f.p, 'g', -1, 64)
}

// Set parses v; the flag package quotes it and names the flag in front of
// the error.
func (f rateFlag) Set(v string) error {
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || strings.ContainsAny(v, "_xXpP") {
		return errors.New("want a decimal number of faults per second, e.g. 0.5 or 10; no 0x, no _")
	}
	*f.p = r
	return nil
}
