package resp

import "strings"

// scoreRange is a ZRANGEBYSCORE-style interval: "(" before a bound excludes
// it, "-inf" and "+inf" are bounds like any other.
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

// parseScoreRange reads min and max as Redis's zslParseRange; false means
// "ERR min or max is not a float".
func parseScoreRange(minArg, maxArg string) (scoreRange, bool) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minex, ok1 = parseScoreBound(minArg)
	r.max, r.maxex, ok2 = parseScoreBound(maxArg)
	return r, ok1 && ok2
}

func parseScoreBound(arg string) (float64, bool, bool) {
	ex := strings.HasPrefix(arg, "(")
	if ex {
		arg = arg[1:]
	}
	v, ok := parseRangeFloat(arg)
	return v, ex, ok
}

func (r scoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minex || r.maxex))
}

// belowMin reports whether v is before the range's start.
func (r scoreRange) belowMin(v float64) bool {
	if r.minex {
		return v <= r.min
	}
	return v < r.min
}

// withinMax reports whether v is not past the range's end.
func (r scoreRange) withinMax(v float64) bool {
	if r.maxex {
		return v < r.max
	}
	return v <= r.max
}

// lexBound is one end of a ZRANGEBYLEX-style interval: "-" (before every
// member), "+" (after every member), "[m" (m included) or "(m" (m excluded).
type lexBound struct {
	inf int8 // -1: "-", +1: "+", 0: the member s
	s   string
	ex  bool
}

// lexRange is a ZRANGEBYLEX-style interval. As in Redis, it is meant for a
// sorted set whose members all have the same score: it is applied to the
// order of (score, member) as if scores did not exist.
type lexRange struct{ min, max lexBound }

// parseLexRange reads min and max as zslParseLexRange; false means
// "ERR min or max not valid string range item".
func parseLexRange(minArg, maxArg string) (lexRange, bool) {
	min, ok1 := parseLexBound(minArg)
	max, ok2 := parseLexBound(maxArg)
	return lexRange{min, max}, ok1 && ok2
}

func parseLexBound(arg string) (lexBound, bool) {
	if arg == "" {
		return lexBound{}, false
	}
	switch arg[0] {
	case '+', '-':
		if len(arg) != 1 {
			return lexBound{}, false
		}
		if arg[0] == '+' {
			return lexBound{inf: 1, ex: true}, true
		}
		return lexBound{inf: -1, ex: true}, true
	case '(':
		return lexBound{s: arg[1:], ex: true}, true
	case '[':
		return lexBound{s: arg[1:]}, true
	}
	return lexBound{}, false
}

// cmpLexBounds compares two bounds as Redis's sdscmplex: "-" and "+" equal
// themselves and sort before and after everything else.
func cmpLexBounds(a, b lexBound) int {
	switch {
	case a.inf != 0 && a.inf == b.inf:
		return 0
	case a.inf == -1 || b.inf == 1:
		return -1
	case a.inf == 1 || b.inf == -1:
		return 1
	}
	return strings.Compare(a.s, b.s)
}

// cmpLexMember compares member m with bound b.
func cmpLexMember(m string, b lexBound) int {
	return cmpLexBounds(lexBound{s: m}, b)
}

func (r lexRange) empty() bool {
	c := cmpLexBounds(r.min, r.max)
	return c > 0 || (c == 0 && (r.min.ex || r.max.ex))
}

func (r lexRange) belowMin(m string) bool {
	c := cmpLexMember(m, r.min)
	if r.min.ex {
		return c <= 0
	}
	return c < 0
}

func (r lexRange) withinMax(m string) bool {
	c := cmpLexMember(m, r.max)
	if r.max.ex {
		return c < 0
	}
	return c <= 0
}
