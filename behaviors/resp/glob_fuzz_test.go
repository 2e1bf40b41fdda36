package resp

import "testing"

// FuzzGlobMatch checks globMatch against globNaive, the same rules without
// the early give-up that keeps Redis's matcher polynomial (CVE-2022-36021's
// fix): giving up must never change an answer. Inputs are capped so the
// naive matcher stays quick.
func FuzzGlobMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"*a*b", "xaxb"}, {"h[^e]llo", "hallo"}, {"[a-", "b"}, {"\\*x", "*x"},
		{"*?*?", "ab"}, {"[\\]a]", "]"}, {"a*a*a*b", "aaaaaaaaab"}, {"[z-a]*", "q"},
	} {
		f.Add(seed[0], seed[1], false)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, nocase bool) {
		if len(pattern) > 12 || len(s) > 16 {
			return
		}
		got := globMatch([]byte(pattern), []byte(s), nocase)
		if want := globNaive([]byte(pattern), []byte(s), nocase); got != want {
			t.Fatalf("globMatch(%q, %q, %v) = %v; the naive matcher says %v", pattern, s, nocase, got, want)
		}
	})
}

// globNaive is globMatchAt without skip and nesting: exponential, exact.
func globNaive(p, s []byte, nocase bool) bool {
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && globAt(p, 1) == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for ; len(s) > 0; s = s[1:] {
				if globNaive(p[1:], s, nocase) {
					return true
				}
			}
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			if p, ok = globClass(p, s[0], nocase); !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !globEqual(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
