package resp

import "math"

// stringCommands are the string group's (the bitmap commands are in
// cmd_bitmap.go, SET's options in cmd_string_set.go).
var stringCommands = []Command{
	{Name: "get", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGet, Summary: "Returns the string value of a key."},
	{Name: "set", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdSet, Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
	{Name: "setnx", Arity: 3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdSetNX, Summary: "Set the string value of a key only when the key doesn't exist."},
	{Name: "setex", Arity: 4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: setexFn(true), Summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."},
	{Name: "psetex", Arity: 4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: setexFn(false), Summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist."},
	{Name: "getset", Arity: 3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGetSet, Summary: "Returns the previous string value of a key after setting it to a new value."},
	{Name: "getdel", Arity: 2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGetDel, Summary: "Returns the string value of a key after deleting the key."},
	{Name: "getex", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGetEx, Summary: "Returns the string value of a key after setting its expiration time."},
	{Name: "mget", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Group: "string",
		Run: cmdMGet, Summary: "Atomically returns the string values of one or more keys."},
	{Name: "mset", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Group: "string",
		Run: func(c *Call) { mset(c, false) }, Summary: "Atomically creates or modifies the string values of one or more keys."},
	{Name: "msetnx", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Group: "string",
		Run: func(c *Call) { mset(c, true) }, Summary: "Atomically modifies the string values of one or more keys only when all keys don't exist."},
	{Name: "strlen", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdStrlen, Summary: "Returns the length of a string value."},
	{Name: "append", Arity: 3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdAppend, Summary: "Appends a string to the value of a key. Creates the key if it doesn't exist."},
	{Name: "getrange", Arity: 4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGetRange, Summary: "Returns a substring of the string stored at a key."},
	{Name: "substr", Arity: 4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGetRange, Summary: "Returns a substring from a string value."},
	{Name: "setrange", Arity: 4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdSetRange, Summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist."},
}

func cmdGet(c *Call) { replyStr(c, c.Args[1]) }

// replyStr replies key's string, or a null if key is missing (had false):
// GET, and the old value of GETDEL, GETSET and SET ... GET. ok is false if
// key holds another type (WRONGTYPE written).
func replyStr(c *Call, key []byte) (had, ok bool) {
	s, ok := Lookup[*Str](c, key)
	switch {
	case !ok:
		return false, false
	case s == nil:
		c.W.Null()
		return false, true
	}
	c.W.Bulk(s.B)
	return true, true
}

// clone copies an argument that a value keeps: arguments share their read's
// buffer, which a kept slice would keep alive whole.
func clone(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

func cmdSetNX(c *Call) {
	if c.DB.Get(c.Args[1]) != nil {
		c.W.Int(0)
		return
	}
	c.DB.Set(c.Args[1], &Str{B: clone(c.Args[2])}, false)
	c.W.Int(1)
}

// setexFn makes SETEX (seconds) and PSETEX (milliseconds).
func setexFn(seconds bool) Handler {
	return func(c *Call) {
		at, ok := expireAt(c, 2, seconds, true)
		if !ok {
			return
		}
		c.DB.SetStr(c.Args[1], c.Args[3], false)
		c.DB.Expire(c.Args[1], at)
		c.W.OK()
	}
}

// expireAt reads argument i as SET's EX/PX (relative) or EXAT/PXAT time and
// returns it as Unix ms, as Redis's getExpireMillisecondsOrReply: positive,
// no overflow, else "invalid expire time".
func expireAt(c *Call, i int, seconds, relative bool) (int64, bool) {
	n, ok := c.Int(i)
	if !ok {
		return 0, false
	}
	if n <= 0 || seconds && n > math.MaxInt64/1000 {
		c.W.Error("ERR invalid expire time in '" + c.Name() + "' command")
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if relative {
		if n > math.MaxInt64-c.Now() {
			c.W.Error("ERR invalid expire time in '" + c.Name() + "' command")
			return 0, false
		}
		n += c.Now()
	}
	return n, true
}

func cmdGetSet(c *Call) {
	if _, ok := replyStr(c, c.Args[1]); ok {
		c.DB.SetStr(c.Args[1], c.Args[2], false)
	}
}

func cmdGetDel(c *Call) {
	if had, _ := replyStr(c, c.Args[1]); had {
		c.DB.Delete(c.Args[1])
	}
}

func cmdMGet(c *Call) {
	c.W.Array(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		if s, ok := c.DB.Get(k).(*Str); ok {
			c.W.Bulk(s.B)
		} else {
			c.W.Null()
		}
	}
}

// mset is MSET and MSETNX (which sets nothing if any key exists).
func mset(c *Call, nx bool) {
	if len(c.Args)%2 == 0 {
		c.ArityError()
		return
	}
	if nx {
		for i := 1; i < len(c.Args); i += 2 {
			if c.DB.Get(c.Args[i]) != nil {
				c.W.Int(0)
				return
			}
		}
	}
	for i := 1; i < len(c.Args); i += 2 {
		c.DB.SetStr(c.Args[i], c.Args[i+1], false)
	}
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

func cmdStrlen(c *Call) {
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(s.B)))
}

// errStringSize is Redis's checkStringLength error.
const errStringSize = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

// fits says whether a string of size plus add bytes (both at least 0) is
// allowed (proto-max-bulk-len), writing Redis's error if not: its
// checkStringLength, whose sum may pass int64's end (SETRANGE's offset is
// the client's), which is too large as well.
func (c *Call) fits(size, add int64) bool {
	if n := size + add; n < size || n > c.Store.cfg.maxBulkLen.Load() {
		c.W.Error(errStringSize)
		return false
	}
	return true
}

// cmdAppend appends in place (a string appended to keeps its time to live).
func cmdAppend(c *Call) {
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.DB.Set(c.Args[1], &Str{B: clone(c.Args[2])}, false)
		c.W.Int(int64(len(c.Args[2])))
		return
	}
	if !c.fits(int64(len(s.B)), int64(len(c.Args[2]))) {
		return
	}
	s.B = append(s.B, c.Args[2]...)
	c.DB.Changed(c.Args[1])
	c.W.Int(int64(len(s.B)))
}

// cmdGetRange is GETRANGE (and SUBSTR), as Redis 7.0 clamps the indexes.
func cmdGetRange(c *Call) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.BulkString("")
		return
	}
	n := int64(len(s.B))
	if start < 0 && end < 0 && start > end {
		c.W.BulkString("")
		return
	}
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	end = min(end, n-1)
	if start > end || n == 0 {
		c.W.BulkString("")
		return
	}
	c.W.Bulk(s.B[start : end+1])
}

func cmdSetRange(c *Call) {
	off, ok := c.Int(2)
	if !ok {
		return
	}
	if off < 0 {
		c.W.Error("ERR offset is out of range")
		return
	}
	val := c.Args[3]
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		if len(val) == 0 {
			c.W.Int(0)
			return
		}
		if !c.fits(off, int64(len(val))) {
			return
		}
		s = &Str{}
		c.DB.Set(c.Args[1], s, false)
	} else if len(val) == 0 {
		c.W.Int(int64(len(s.B)))
		return
	} else if !c.fits(off, int64(len(val))) {
		return
	}
	if need := int(off) + len(val); need > len(s.B) {
		s.B = append(s.B, make([]byte, need-len(s.B))...)
	}
	copy(s.B[off:], val)
	c.DB.Changed(c.Args[1])
	c.W.Int(int64(len(s.B)))
}
