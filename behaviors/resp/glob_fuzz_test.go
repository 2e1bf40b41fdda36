package resp

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// FuzzGlobMatch checks globMatch against globOracle, which shares none of its
// code: the pattern is translated to a Go regexp (each byte a rune
// U+0000-U+00FF, each '?', class or literal an explicit set of them) and
// Go's regexp engine decides. So the matcher's star handling (its early
// give-up, CVE-2022-36021's fix) is checked against a different engine, not
// against a copy of itself. Inputs are capped to keep each run quick.
func FuzzGlobMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"*a*b", "xaxb"}, {"h[^e]llo", "hallo"}, {"[a-", "b"}, {"\\*x", "*x"},
		{"*?*?", "ab"}, {"[\\]a]", "]"}, {"a*a*a*b", "aaaaaaaaab"}, {"[z-a]*", "q"},
		{"[a-\xff]", "z"}, {"[^", "^"}, {"[a-]x", "]"}, {"*", ""}, {"a\\", "a\\"},
	} {
		f.Add(seed[0], seed[1], false)
		f.Add(seed[0], seed[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, nocase bool) {
		if len(pattern) > 12 || len(s) > 16 {
			return
		}
		got := globMatch([]byte(pattern), []byte(s), nocase)
		if want := globOracle(pattern, s, nocase); got != want {
			t.Fatalf("globMatch(%q, %q, %v) = %v; the regexp oracle says %v", pattern, s, nocase, got, want)
		}
		if c := globCompact([]byte(pattern)); globMatch(c, []byte(s), nocase) != got {
			t.Fatalf("globMatch(globCompact(%q) = %q, %q, %v) = %v; uncompacted %v", pattern, c, s, nocase, !got, got)
		}
	})
}

// globOracle decides stringmatchlen's answer by regexp. Its rules, read off
// Redis 7.0's util.c: the empty string matches only the empty pattern; '\'
// escapes the next byte (a '\' that ends the pattern is itself); a class
// runs to its ']' or the pattern's end, an escaped byte in it is compared
// exactly, "x-y" is a range of signed chars in either order, and nocase
// folds ASCII letters (bounds and byte, for a range).
func globOracle(pattern, s string, nocase bool) bool {
	if s == "" {
		return pattern == ""
	}
	var re strings.Builder
	re.WriteString(`^(?s:`)
	p := []byte(pattern)
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			re.WriteString(`.*`)
		case '?':
			re.WriteString(`.`)
		case '[':
			var in func(c byte) bool
			in, i = oracleClass(p, i+1, nocase)
			re.WriteString(oracleSet(in))
		case '\\':
			if i+1 < len(p) {
				i++
			}
			fallthrough
		default:
			lit := p[i]
			re.WriteString(oracleSet(func(c byte) bool { return oracleFold(c, nocase) == oracleFold(lit, nocase) }))
		}
	}
	re.WriteString(`)$`)
	runes := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		runes[i] = rune(s[i])
	}
	return regexp.MustCompile(re.String()).MatchString(string(runes))
}

// oracleClass reads the class whose body starts at p[i] and returns its
// membership test and the index of its last byte.
func oracleClass(p []byte, i int, nocase bool) (func(c byte) bool, int) {
	negate := i < len(p) && p[i] == '^'
	if negate {
		i++
	}
	var items []func(c byte) bool
	for ; i < len(p) && p[i] != ']'; i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			e := p[i]
			items = append(items, func(c byte) bool { return c == e })
		case i+2 < len(p) && p[i+1] == '-':
			lo, hi := int(int8(p[i])), int(int8(p[i+2]))
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi = oracleFoldInt(lo), oracleFoldInt(hi)
			}
			items = append(items, func(c byte) bool {
				v := int(int8(c))
				if nocase {
					v = oracleFoldInt(v)
				}
				return lo <= v && v <= hi
			})
			i += 2
		default:
			b := p[i]
			items = append(items, func(c byte) bool { return oracleFold(c, nocase) == oracleFold(b, nocase) })
		}
	}
	if i == len(p) { // unclosed: the class ends with the pattern
		i = len(p) - 1
	}
	return func(c byte) bool {
		for _, item := range items {
			if item(c) {
				return !negate
			}
		}
		return negate
	}, i
}

// oracleSet writes the bytes in a set as a regexp class of runes (one that
// matches nothing when the set is empty).
func oracleSet(in func(c byte) bool) string {
	var b strings.Builder
	b.WriteString(`[`)
	for c := 0; c < 256; c++ {
		if in(byte(c)) {
			fmt.Fprintf(&b, `\x{%x}`, c)
		}
	}
	if b.Len() == 1 {
		return `[^\x00-\x{10FFFF}]`
	}
	return b.String() + `]`
}

func oracleFold(c byte, nocase bool) byte {
	if nocase && 'A' <= c && c <= 'Z' {
		return c | 0x20
	}
	return c
}

func oracleFoldInt(v int) int {
	if 'A' <= v && v <= 'Z' {
		return v | 0x20
	}
	return v
}
