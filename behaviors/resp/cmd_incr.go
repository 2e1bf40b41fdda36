package resp

import (
	"math"
	"strconv"
)

// incrCommands are INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT.
var incrCommands = []Command{
	{Name: "incr", Arity: 2, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: func(c *Call) { incrBy(c, 1) }, Summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."},
	{Name: "decr", Arity: 2, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: func(c *Call) { incrBy(c, -1) }, Summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist."},
	{Name: "incrby", Arity: 3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdIncrBy, Summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist."},
	{Name: "decrby", Arity: 3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdDecrBy, Summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist."},
	{Name: "incrbyfloat", Arity: 3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdIncrByFloat, Summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist."},
}

func cmdIncrBy(c *Call) {
	if n, ok := c.Int(2); ok {
		incrBy(c, n)
	}
}

func cmdDecrBy(c *Call) {
	n, ok := c.Int(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.W.Error("ERR decrement would overflow")
		return
	}
	incrBy(c, -n)
}

// incrBy adds by to the integer at key (0 if none), keeping its time to live.
func incrBy(c *Call, by int64) {
	key := c.Args[1]
	s, ok := Lookup[*Str](c, key)
	if !ok {
		return
	}
	var cur int64
	if s != nil {
		if cur, ok = parseInt(s.B); !ok {
			c.W.Error(ErrNotInt)
			return
		}
	}
	if by < 0 && cur < 0 && by < math.MinInt64-cur || by > 0 && cur > 0 && by > math.MaxInt64-cur {
		c.W.Error(ErrOverflow)
		return
	}
	cur += by
	if s == nil {
		s = &Str{B: intText(nil, cur)}
		c.DB.Set(key, s, false)
	} else {
		s.B = intText(s.B, cur)
		c.DB.Changed(key)
	}
	c.W.IntText(s.B) // the value's text is the reply's: formatted once
}

// intText returns n's decimal text, written over b when b has room for it
// and is not much larger (a key's string is its own: SetStr's rule, since
// the memory count sees lengths, not capacities), else in a new array with
// room for any int64, so that the next INCR of the key writes in place:
// redis-benchmark's INCRs made two allocations each, the text and its
// growth.
func intText(b []byte, n int64) []byte {
	var digits [20]byte
	t := strconv.AppendInt(digits[:0], n, 10)
	if cap(b) >= len(t) && cap(b) <= max(2*len(t)+16, 20) {
		return append(b[:0], t...)
	}
	return append(make([]byte, 0, 20), t...)
}

// cmdIncrByFloat adds in C's long double, as Redis, and keeps the time to
// live; the result is stored as the text it replies.
func cmdIncrByFloat(c *Call) {
	key := c.Args[1]
	s, ok := Lookup[*Str](c, key)
	if !ok {
		return
	}
	cur, _ := parseLongDouble([]byte("0"))
	if s != nil {
		if cur, ok = parseLongDouble(s.B); !ok {
			c.W.Error(ErrNotFloat)
			return
		}
	}
	by, ok := parseLongDouble(c.Args[2])
	if !ok {
		c.W.Error(ErrNotFloat)
		return
	}
	sum, ok := addLongDouble(cur, by)
	if !ok {
		c.W.Error("ERR increment would produce NaN or Infinity")
		return
	}
	text := appendLongDouble(nil, sum)
	if s == nil {
		c.DB.Set(key, &Str{B: text}, false)
	} else {
		s.B = text
		c.DB.Changed(key)
	}
	c.W.Bulk(text)
}
