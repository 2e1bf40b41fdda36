package resp

import (
	"math/big"
)

// Redis does HINCRBYFLOAT (and INCRBYFLOAT) in C's long double, which on
// x86-64 is the x87 80-bit format: a 64-bit mantissa and a 15-bit exponent.
// Its answers show it: 0.1 + 0.2 is "0.3" (a float64 would print
// 0.30000000000000004 at %.17f), 9223372036854775806 + 1.5 is exact, and
// 1e308 + 1e308 does not overflow. This file does the same arithmetic with
// math/big at 64 bits of mantissa, rounding to nearest even as the x87 does,
// and parses and prints as Redis's string2ld (strtold) and ld2string
// (LD_STR_HUMAN: %.17Lf, trailing zeros dropped) do.

const (
	ldMantBits = 64
	// ldMaxExp and ldMinExp bound a finite, non-zero long double as
	// big.Float.MantExp gives it (x = mant * 2**exp, 0.5 <= |mant| < 1): the
	// largest is just under 2**16384, the smallest subnormal 2**-16445.
	ldMaxExp = 16384
	ldMinExp = -16444
	// ldMaxChars is Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses a text
	// this long or longer.
	ldMaxChars = 5 * 1024
)

// parseLongDouble parses b as Redis's string2ld does: what strtold accepts
// (decimal or hexadecimal, with exponent, "inf", "infinity", any case,
// signed), the whole text, no leading space, not NaN, not beyond a long
// double's range (overflow, or underflow to zero). It returns the value
// rounded to a long double (an infinity for "inf").
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	s := string(b)
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if isInfWord(s) {
		return new(big.Float).SetInf(neg), true
	}
	r, ok := parseRealText(s)
	if !ok {
		return nil, false
	}
	if neg {
		r.Neg(r)
	}
	x := new(big.Float).SetPrec(ldMantBits).SetMode(big.ToNearestEven).SetRat(r)
	if x.Sign() == 0 {
		return x, true // an exact zero is no underflow: strtold gives 0 without ERANGE
	}
	return ldRange(x)
}

// isInfWord reports whether s is "inf" or "infinity" in any case.
func isInfWord(s string) bool {
	switch len(s) {
	case 3, 8:
		return equalFold(s, "infinity"[:len(s)])
	}
	return false
}

// equalFold reports whether a equals lower, a lower-case ASCII word, in any case.
func equalFold(a, lower string) bool {
	if len(a) != len(lower) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// parseRealText parses an unsigned decimal (digits, an optional point, an
// optional e exponent) or hexadecimal (0x, hex digits, an optional point, an
// optional p exponent) number exactly. An exponent whose magnitude alone puts
// the value far outside a long double's range is clamped: the caller's range
// check refuses the value either way, and the rational stays small.
func parseRealText(s string) (*big.Rat, bool) {
	base, expChar := 10, byte('e')
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, expChar = 16, 'p'
		s = s[2:]
	}
	mant, digits, fracDigits, i := parseMantissa(s, base)
	if digits == 0 {
		return nil, false
	}
	var exp int64
	if i < len(s) {
		if s[i]|0x20 != expChar {
			return nil, false
		}
		e, ok := parseExponent(s[i+1:])
		if !ok {
			return nil, false
		}
		exp = e
	}
	// value = mant * expBase**exp / base**fracDigits
	if base == 16 {
		exp -= 4 * int64(fracDigits)
	} else {
		exp -= int64(fracDigits)
	}
	return scaleMantissa(mant, base, digits, exp), true
}

// parseMantissa reads the digits of s in base, with at most one point among
// them, as one integer: the number's digits, how many came after the point,
// and where the mantissa ends (at the exponent, if there is one) are
// returned with it, for parseRealText to scale it.
func parseMantissa(s string, base int) (mant *big.Int, digits, fracDigits, end int) {
	mant = new(big.Int)
	sawPoint := false
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !sawPoint {
			sawPoint = true
			continue
		}
		d := digitVal(c)
		if d < 0 || d >= base {
			break
		}
		mant.Mul(mant, big.NewInt(int64(base)))
		mant.Add(mant, big.NewInt(int64(d)))
		digits++
		if sawPoint {
			fracDigits++
		}
	}
	return mant, digits, fracDigits, i
}

// scaleMantissa is mant (of digits digits in base) times 10**exp, or for
// base 16 times 2**exp, exactly. The exponent is first clamped where the
// value is past every long double either way, so that the rational stays
// small however large an exponent the text gives.
func scaleMantissa(mant *big.Int, base, digits int, exp int64) *big.Rat {
	r := new(big.Rat).SetInt(mant)
	if mant.Sign() == 0 {
		return r
	}
	// 10**-5200 or 2**-17000 is below every long double; so are the huge ones.
	expBase, limit := int64(10), int64(5200+digits)
	if base == 16 {
		expBase, limit = 2, int64(17000+4*digits)
	}
	exp = max(-limit, min(limit, exp))
	pow := new(big.Int).Exp(big.NewInt(expBase), big.NewInt(abs64(exp)), nil)
	if exp >= 0 {
		return r.Mul(r, new(big.Rat).SetInt(pow))
	}
	return r.Quo(r, new(big.Rat).SetInt(pow))
}

// parseExponent parses an exponent's optional sign and its decimal digits
// (at least one), saturating at a value far past any long double.
func parseExponent(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var e int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		if e < 1<<40 {
			e = e*10 + int64(s[i]-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ldRange checks a non-zero, finite x (64-bit mantissa) against a long
// double's range: past the largest it overflows (false), below the smallest
// subnormal it underflows to zero (false); a subnormal keeps only the
// mantissa bits the format has room for.
func ldRange(x *big.Float) (*big.Float, bool) {
	exp := x.MantExp(nil)
	if exp > ldMaxExp {
		return nil, false
	}
	if exp < ldMinExp+ldMantBits-1 { // subnormal: fewer mantissa bits
		bits := exp - ldMinExp + 1
		if bits < 1 {
			return nil, false
		}
		x.SetPrec(uint(bits))
		if x.Sign() == 0 || x.MantExp(nil) < ldMinExp {
			return nil, false
		}
		x.SetPrec(ldMantBits)
	}
	return x, true
}

// addLongDouble returns a+b rounded to a long double, and false if the sum
// is infinite (an infinite operand, or overflow): Redis's "increment would
// produce NaN or Infinity".
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := new(big.Float).SetPrec(ldMantBits).SetMode(big.ToNearestEven).Add(a, b)
	if sum.Sign() == 0 {
		return sum, true
	}
	return ldRange(sum)
}

// appendLongDouble appends x (finite) as Redis's ld2string writes it in
// LD_STR_HUMAN mode: printf's %.17Lf (exact, rounded half to even), then
// the fraction's trailing zeros and a bare point dropped, and "-0" made "0".
func appendLongDouble(dst []byte, x *big.Float) []byte {
	start := len(dst)
	dst = x.Append(dst, 'f', 17)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}
