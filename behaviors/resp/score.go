package resp

import (
	"math"
	"strconv"
	"strings"
)

// Scores: how sorted-set commands read and write doubles, byte for byte as
// Redis 7.0 does. Redis reads them with C's strtod and checks the result in two
// ways (getDoubleFromObject for a score or weight, zslParseRange for a range
// bound), and writes them with "%.17g" (addReplyDouble; Redis 7.2 changed to
// the shortest form, 7.0 did not).

// cStrtod parses the longest prefix of s that glibc's strtod takes: leading
// white space, a sign, then "inf", "infinity", "nan", "nan(...)", a hex float
// ("0x1.8p3", exponent optional) or a decimal one. It returns the value, the
// bytes used (0 when nothing converts, and then the value is 0), and whether
// strtod would set ERANGE (overflow, or underflow to zero or a denormal).
func cStrtod(s string) (v float64, n int, erange bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return signed(math.Inf(1), neg), i + 8, false
	case hasPrefixFold(rest, "inf"):
		return signed(math.Inf(1), neg), i + 3, false
	case hasPrefixFold(rest, "nan"):
		i += 3
		if j := strings.IndexByte(s[i:], ')'); i < len(s) && s[i] == '(' && j > 0 && nanChars(s[i+1:i+j]) {
			i += j + 1
		}
		return math.NaN(), i, false
	}
	end, hex := scanCFloat(s, i)
	if end == i {
		return 0, 0, false
	}
	text := s[start:end]
	if hex && !strings.ContainsAny(text, "pP") {
		text += "p0"
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil { // out of range: overflow (the only error a checked text gets)
		return v, end, true
	}
	tiny := v != 0 && math.Abs(v) < 0x1p-1022
	return v, end, tiny || (v == 0 && nonZeroMantissa(s[i:end], hex))
}

// scanCFloat returns the end of the hex or decimal number that starts at s[i]
// (i itself if there is none), and whether it is hex.
func scanCFloat(s string, i int) (int, bool) {
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		if j, ok := scanMantissa(s, i+2, isHexDigit); ok {
			return scanExponent(s, j, "pP"), true
		}
		return i + 1, false // "0x" with no digit: strtod takes the "0"
	}
	if j, ok := scanMantissa(s, i, isDecDigit); ok {
		return scanExponent(s, j, "eE"), false
	}
	return i, false
}

// scanMantissa scans digits with at most one '.'; ok if there was a digit.
func scanMantissa(s string, i int, digit func(byte) bool) (int, bool) {
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch {
		case digit(s[i]):
			digits++
		case s[i] == '.' && !dot:
			dot = true
		default:
			return i, digits > 0
		}
	}
	return i, digits > 0
}

// scanExponent takes an exponent at s[i] if a digit follows its letter and sign.
func scanExponent(s string, i int, letters string) int {
	if i >= len(s) || strings.IndexByte(letters, s[i]) < 0 {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j >= len(s) || !isDecDigit(s[j]) {
		return i
	}
	for j < len(s) && isDecDigit(s[j]) {
		j++
	}
	return j
}

func nonZeroMantissa(num string, hex bool) bool {
	if hex {
		num = num[2:]
	}
	for i := 0; i < len(num); i++ {
		c := num[i]
		if c == 'e' || c == 'E' || c == 'p' || c == 'P' {
			return false
		}
		if c != '0' && c != '.' {
			return true
		}
	}
	return false
}

func nanChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isDecDigit(c) || c == '_' || ('a' <= c|0x20 && c|0x20 <= 'z')) {
			return false
		}
	}
	return true
}

func signed(v float64, neg bool) float64 {
	if neg {
		return -v
	}
	return v
}

func isCSpace(c byte) bool   { return c == ' ' || ('\t' <= c && c <= '\r') }
func isDecDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool {
	return isDecDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f')
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// parseFloatArg reads a score, an increment or a weight as Redis's
// getDoubleFromObject: the whole argument must be a number, with no leading
// space, not NaN, and not out of range (an underflow to a denormal is taken).
func parseFloatArg(arg string) (float64, bool) {
	if arg == "" || isCSpace(arg[0]) {
		return 0, false
	}
	v, n, erange := cStrtod(arg)
	if n != len(arg) || math.IsNaN(v) || (erange && (math.IsInf(v, 0) || v == 0)) {
		return 0, false
	}
	return v, true
}

// parseRangeFloat reads one bound of a score range as zslParseRange does: any
// text strtod takes whole, leading space, "" (zero) and overflow (infinity)
// included; only NaN and trailing bytes are refused.
func parseRangeFloat(arg string) (float64, bool) {
	v, n, _ := cStrtod(arg)
	if n != len(arg) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// formatScore writes a score as Redis 7.0's addReplyDouble does: "%.17g", and
// "inf"/"-inf" spelled so on every libc.
func formatScore(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', 17, 64)
}
