package resp

// globMatch reports whether s matches the glob-style pattern as Redis 7.0's
// stringmatchlen (util.c) decides it, for KEYS, SCAN MATCH, PSUBSCRIBE and
// PUBSUB CHANNELS: '*' any run, '?' one byte, '[...]' a class ('^' negates,
// 'a-z' a range, either order), '\' escapes the next byte. Patterns are bytes,
// not UTF-8; nocase folds ASCII letters only (Redis runs in the C locale).
//
// Redis's quirks are kept on purpose, since clients see them: a range compares
// bytes as C's signed char (so "[a-\xff]" does not take "z"), an unclosed class
// ends at the pattern's end, and recursion deeper than globMaxNesting stars
// matches nothing (Redis's guard against abusive patterns). "*" does not
// match the empty string; KEYS and SCAN MATCH skip matching for the pattern
// "*" alone (every key), PSUBSCRIBE does not. Once the rest of a
// pattern has failed to match from every position, earlier stars give up too
// (Redis's fix for CVE-2022-36021), so the work is polynomial, not exponential.
func globMatch(pattern, s []byte, nocase bool) bool {
	skip := false
	return globMatchAt(pattern, s, nocase, &skip, 0)
}

// globCompact returns pattern with each run of '*' (outside a class, not
// escaped) cut to one: the same matches, as the matcher skips a run the
// same way, but at each try, so a pattern of a million stars cost a
// million steps for every key KEYS or SCAN MATCH tried it on (10 000
// stars against 500 000 keys: 9.8 s here, 6.1 s in redis-server, which
// does the same). KEYS, SCAN's MATCH and PUBSUB (SHARD)CHANNELS compact
// their pattern once. The runs are found with the matcher's own reading of
// the pattern: an escape takes the next byte, a class ends where globClass
// ends it.
func globCompact(pattern []byte) []byte {
	var out []byte // nil until a run is cut
	for i := 0; i < len(pattern); {
		j := i + 1 // the end of the token at i
		switch pattern[i] {
		case '\\':
			j = min(i+2, len(pattern))
		case '[':
			rest, _ := globClass(pattern[i:], 0, false)
			j = len(pattern) - len(rest) + 1
		case '*':
			for j < len(pattern) && pattern[j] == '*' {
				j++
			}
			if j > i+1 && out == nil {
				out = append(make([]byte, 0, len(pattern)), pattern[:i]...)
			}
			if out != nil {
				out = append(out, '*')
			}
			i = j
			continue
		}
		if out != nil {
			out = append(out, pattern[i:j]...)
		}
		i = j
	}
	if out == nil {
		return pattern
	}
	return out
}

// globMaxNesting is the depth of star recursion at which Redis 7.0.15 stops
// matching: a pattern with 999 stars each followed by more pattern still
// matches, one with 1000 never does (measured against redis-server 7.0.15).
const globMaxNesting = 1000

// globAt is pattern[i], or 0 past its end: the C code reads the NUL that ends
// an sds string there, and its decisions depend on it.
func globAt(p []byte, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func globLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func globEqual(a, b byte, nocase bool) bool {
	if nocase {
		return globLower(a) == globLower(b)
	}
	return a == b
}

func globMatchAt(p, s []byte, nocase bool, skip *bool, nesting int) bool {
	if nesting >= globMaxNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 0 && globAt(p, 1) == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globMatchAt(p[1:], s, nocase, skip, nesting+1) {
					return true
				}
				if *skip {
					return false
				}
				s = s[1:]
			}
			*skip = true
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

// globClass matches c against the class that p starts with ('['), and returns
// p at the class's last byte (its ']', or the pattern's last byte when the
// class is not closed).
func globClass(p []byte, c byte, nocase bool) ([]byte, bool) {
	full := p
	p = p[1:]
	not := globAt(p, 0) == '^'
	if not {
		p = p[1:]
	}
	match := false
	for {
		switch {
		case globAt(p, 0) == '\\' && len(p) >= 2:
			p = p[1:]
			if p[0] == c {
				match = true
			}
		case globAt(p, 0) == ']':
			return p, match != not
		case len(p) == 0:
			// Unclosed: step back onto the pattern's last byte, as Redis does.
			return full[len(full)-1:], match != not
		case len(p) >= 3 && p[1] == '-':
			// C's char is signed here: bytes from 0x80 sort below 0.
			start, end, v := int(int8(p[0])), int(int8(p[2])), int(int8(c))
			if start > end {
				start, end = end, start
			}
			if nocase {
				start, end, v = globLowerInt(start), globLowerInt(end), globLowerInt(v)
			}
			p = p[2:]
			if v >= start && v <= end {
				match = true
			}
		default:
			if globEqual(p[0], c, nocase) {
				match = true
			}
		}
		p = p[1:]
	}
}

func globLowerInt(c int) int {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
