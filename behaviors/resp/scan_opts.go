package resp

// The cursor and options of SSCAN, HSCAN and ZSCAN (Redis's scanGenericCommand),
// and the keys of the commands that give a number of keys.

// ErrInvalidCursor is Redis's reply to a cursor strtoul refuses.
const ErrInvalidCursor = "ERR invalid cursor"

// parseCursor reads a scan cursor as Redis's parseScanCursorOrReply does with
// strtoul: no leading space, an optional sign, decimal digits (none at all is
// 0, so "" is a cursor), nothing after them, at most 2^64-1; a minus sign
// negates modulo 2^64 ("-1" is 2^64-1).
func parseCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isCSpace(b[0]) {
		return 0, false
	}
	neg, digits := false, b
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg, digits = b[0] == '-', b[1:]
		if len(digits) == 0 {
			return 0, false
		}
	}
	var n uint64
	for _, c := range digits {
		if !isDecDigit(c) {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, true
}

// scanArgs are a scan's options.
type scanArgs struct {
	count   int    // COUNT, at least 1; 10 when not given
	pattern []byte // MATCH's pattern; nil when none
}

// parseScanArgs reads MATCH and COUNT from args[from] on, writing Redis's
// error and returning false on a bad one.
func parseScanArgs(c *Call, from int) (scanArgs, bool) {
	o := scanArgs{count: 10}
	for i := from; i < len(c.Args); i += 2 {
		more := i+1 < len(c.Args)
		switch opt := c.Args[i]; {
		case more && equalFold(string(opt), "count"):
			n, ok := c.Int(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				c.W.Error(ErrSyntax)
				return o, false
			}
			o.count = int(min(n, 1<<30))
		case more && equalFold(string(opt), "match"):
			o.pattern = c.Args[i+1]
			if len(o.pattern) == 1 && o.pattern[0] == '*' {
				o.pattern = nil // every element, as Redis skips matching for "*"
			} else {
				o.pattern = globCompact(o.pattern) // once, not per element
			}
		default:
			c.W.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// matches says whether an element passes MATCH.
func (o *scanArgs) matches(s string) bool {
	return o.pattern == nil || globMatch(o.pattern, []byte(s), false)
}

// numkeysKeys is the Keys of a command whose numkeys is argument at, its keys
// right after it, and fixed keys (a destination) before: none when numkeys
// is not a count of keys that are there, as Redis's getkeys finds none.
func numkeysKeys(at int, fixed ...int) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		n, ok := parseInt(args[at])
		if !ok || n < 1 || n > int64(len(args)-at-1) {
			return nil
		}
		idx := append([]int(nil), fixed...)
		for i := at + 1; i <= at+int(n); i++ {
			idx = append(idx, i)
		}
		return idx
	}
}

// scanStart is the front SSCAN, HSCAN and ZSCAN share, in Redis's order:
// the cursor is checked first, then the key (a missing one answers an empty
// scan before the options are looked at), then the options. ok false means
// it has replied.
func scanStart[T interface {
	Value
	comparable
}](c *Call) (cursor uint64, v T, o scanArgs, ok bool) {
	if cursor, ok = parseCursor(c.Args[2]); !ok {
		c.W.Error(ErrInvalidCursor)
		return cursor, v, o, false
	}
	if v, ok = Lookup[T](c, c.Args[1]); !ok {
		return cursor, v, o, false
	}
	var missing T
	if v == missing {
		writeEmptyScan(c.W)
		return cursor, v, o, false
	}
	o, ok = parseScanArgs(c, 3)
	return cursor, v, o, ok
}
