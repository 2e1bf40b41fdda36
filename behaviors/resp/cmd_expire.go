package resp

import (
	"math"
	"strconv"
)

// expireCommands are the generic group's time-to-live commands.
var expireCommands = []Command{
	{Name: "expire", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: expireFn(1000, false), Summary: "Sets the expiration time of a key in seconds."},
	{Name: "pexpire", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: expireFn(1, false), Summary: "Sets the expiration time of a key in milliseconds."},
	{Name: "expireat", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: expireFn(1000, true), Summary: "Sets the expiration time of a key to a Unix timestamp."},
	{Name: "pexpireat", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: expireFn(1, true), Summary: "Sets the expiration time of a key to a Unix milliseconds timestamp."},
	{Name: "ttl", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: ttlFn(1000, false), Summary: "Returns the expiration time in seconds of a key."},
	{Name: "pttl", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: ttlFn(1, false), Summary: "Returns the expiration time in milliseconds of a key."},
	{Name: "expiretime", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: ttlFn(1000, true), Summary: "Returns the expiration time of a key as a Unix timestamp."},
	{Name: "pexpiretime", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: ttlFn(1, true), Summary: "Returns the expiration time of a key as a Unix milliseconds timestamp."},
	{Name: "persist", Arity: 2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: cmdPersist, Summary: "Removes the expiration time of a key."},
}

// expire's NX XX GT LT.
const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

// expireFn makes EXPIRE (unit 1000, relative), PEXPIRE, EXPIREAT (absolute)
// and PEXPIREAT, as Redis 7.0's expireGenericCommand: options, then the
// time (with its overflow checks), then the key; a time already past
// deletes the key.
func expireFn(unit int64, absolute bool) Handler {
	return func(c *Call) {
		flags, ok := expireFlags(c)
		if !ok {
			return
		}
		when, ok := c.Int(2)
		if !ok {
			return
		}
		base := c.Now()
		if absolute {
			base = 0
		}
		if unit == 1000 && (when > math.MaxInt64/1000 || when < math.MinInt64/1000) || when*unit > math.MaxInt64-base {
			c.W.Error("ERR invalid expire time in '" + c.Name() + "' command")
			return
		}
		when = when*unit + base
		key := c.Args[1]
		if c.DB.Get(key) == nil {
			c.W.Int(0)
			return
		}
		cur := c.DB.TTL(key)
		if flags&expNX != 0 && cur != -1 || flags&expXX != 0 && cur == -1 ||
			flags&expGT != 0 && (when <= cur || cur == -1) || flags&expLT != 0 && cur != -1 && when >= cur {
			c.W.Int(0)
			return
		}
		if when <= c.Now() {
			c.DB.Delete(key)
		} else {
			c.DB.Expire(key, when)
			c.DB.Changed(key)
		}
		c.W.Int(1)
	}
}

func expireFlags(c *Call) (int, bool) {
	flags := 0
	for _, a := range c.Args[3:] {
		switch {
		case argIs(a, "nx"):
			flags |= expNX
		case argIs(a, "xx"):
			flags |= expXX
		case argIs(a, "gt"):
			flags |= expGT
		case argIs(a, "lt"):
			flags |= expLT
		default:
			c.W.Error("ERR Unsupported option " + cString(a, len(a)))
			return 0, false
		}
	}
	if flags&expNX != 0 && flags&(expXX|expGT|expLT) != 0 {
		c.W.Error("ERR NX and XX, GT or LT options at the same time are not compatible")
		return 0, false
	}
	if flags&expGT != 0 && flags&expLT != 0 {
		c.W.Error("ERR GT and LT options at the same time are not compatible")
		return 0, false
	}
	return flags, true
}

// ttlFn makes TTL (unit 1000), PTTL, EXPIRETIME (absolute) and
// PEXPIRETIME: -2 for no key, -1 for no expiry.
func ttlFn(unit int64, absolute bool) Handler {
	return func(c *Call) {
		key := c.Args[1]
		if c.DB.Get(key) == nil {
			c.W.Int(-2)
			return
		}
		at := c.DB.TTL(key)
		switch {
		case at < 0:
			c.W.Int(-1)
		case absolute:
			c.W.Int(at / unit)
		default:
			left := max(at-c.Now(), 0)
			c.W.Int((left + unit/2) / unit)
		}
	}
}

func cmdPersist(c *Call) {
	key := c.Args[1]
	if c.DB.Get(key) != nil && c.DB.Persist(key) {
		c.DB.Changed(key)
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

func formatUint(n uint64) string { return strconv.FormatUint(n, 10) }
