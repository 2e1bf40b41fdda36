package resp

import (
	"bufio"
	"encoding/hex"
	"math/big"
	"os"
	"strings"
	"testing"
)

// TestGlobMatchCases states the matcher's rules, quirks included.
func TestGlobMatchCases(t *testing.T) {
	cases := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "", false, false}, // as stringmatchlen; KEYS and SCAN take "*" as every key without matching
		{"", "", false, true},
		{"", "a", false, false},
		{"a*", "abc", false, true},
		{"a*c", "abbbc", false, true},
		{"a*c", "abbbd", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h[ae]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hbllo", false, true}, // a reversed range is swapped
		{"h\\*llo", "h*llo", false, true},
		{"h\\*llo", "hallo", false, false},
		{"[\\]]", "]", false, true},
		{"[abc", "c", false, true}, // an unclosed class ends at the pattern's end
		{"[abc", "d", false, false},
		{"[", "a", false, false},
		{"[]", "a", false, false},
		{"\\", "\\", false, true}, // a trailing backslash is itself
		{"HELLO", "hello", true, true},
		{"[A-C]", "b", true, true},
		{"[A-C]", "b", false, false},
		{"[a-\xff]", "z", false, false}, // signed char: 0xff is -1, the range is -1..'a'
		{"[a-\xff]", "\x00", false, true},
		{"[\x80-\xff]", "\x90", false, true},
		{"a**b", "ab", false, true},
		{"*a*", "bbb", false, false},
		{strings.Repeat("a*", 999) + "b", strings.Repeat("a", 1300) + "b", false, true},
		{strings.Repeat("a*", 1000) + "b", strings.Repeat("a", 1300) + "b", false, false}, // nesting limit
	}
	for _, c := range cases {
		if got := globMatch([]byte(c.pattern), []byte(c.s), c.nocase); got != c.want {
			t.Errorf("globMatch(%q, %q, %v) = %v; want %v", trunc(c.pattern), trunc(c.s), c.nocase, got, c.want)
		}
	}
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

// TestGlobMatchRedis checks 400 random patterns against 100 strings over a
// tricky alphabet (brackets, carets, dashes, backslashes, 0xff) with the
// answers redis-server 7.0.15's KEYS gave (testdata/glob_redis.txt), the
// same patterns compacted (globCompact) too, and FuzzGlobMatch's regexp
// oracle against the same answers.
func TestGlobMatchRedis(t *testing.T) {
	f, err := os.Open("testdata/glob_redis.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var strs [][]byte
	checked := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strs == nil {
			for _, h := range strings.Fields(line) {
				strs = append(strs, mustHex(t, strings.TrimPrefix(h, "-")))
			}
			continue
		}
		fields := strings.Fields(line)
		p := []byte{}
		if len(fields) == 2 {
			p = mustHex(t, fields[0])
		}
		mask, _ := new(big.Int).SetString(fields[len(fields)-1], 16)
		for j, s := range strs {
			if want := mask.Bit(j) == 1; globMatch(p, s, false) != want {
				t.Errorf("globMatch(%q, %q) = %v; redis says %v", p, s, !want, want)
			}
			if want := mask.Bit(j) == 1; globMatch(globCompact(p), s, false) != want {
				t.Errorf("globMatch(globCompact(%q) = %q, %q) = %v; redis says %v", p, globCompact(p), s, !want, want)
			}
			if want := mask.Bit(j) == 1; globOracle(string(p), string(s), false) != want {
				t.Errorf("globOracle(%q, %q) = %v; redis says %v (the fuzz test's oracle is wrong)", p, s, !want, want)
			}
		}
		checked++
	}
	if checked < 400 {
		t.Fatalf("checked %d patterns; want 400", checked)
	}
}

func mustHex(t testing.TB, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGlobMatchPathological ensures a pattern of many stars against a long
// non-matching string ends quickly (CVE-2022-36021's pattern).
func TestGlobMatchPathological(t *testing.T) {
	p := []byte(strings.Repeat("*a", 100) + "b")
	s := []byte(strings.Repeat("a", 10000))
	if globMatch(p, s, false) {
		t.Fatal("matched")
	}
}

// TestGlobCompact cuts runs of stars, and only those: not escaped stars,
// nor stars in a class (closed or not, ranges and escapes in it).
func TestGlobCompact(t *testing.T) {
	for _, c := range [][2]string{
		{"", ""}, {"*", "*"}, {"**", "*"}, {"a***b**", "a*b*"}, {"\\***", "\\**"}, {"\\\\**", "\\\\*"},
		{"[**]**", "[**]*"}, {"[\\]**]**", "[\\]**]*"}, {"[a-]**]**", "[a-]**]*"}, {"[]**", "[]*"},
		{"[^**", "[^**"}, {"x\\", "x\\"}, {"?**?", "?*?"},
	} {
		if got := string(globCompact([]byte(c[0]))); got != c[1] {
			t.Errorf("globCompact(%q) = %q; want %q", c[0], got, c[1])
		}
	}
}
