package resp

import "strings"

// genericCommands are the generic group's: commands on keys of any type.
var genericCommands = []Command{
	{Name: "del", Arity: -2, Flags: Write, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic",
		Run: cmdDel, Summary: "Deletes one or more keys."},
	{Name: "unlink", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic",
		Run: cmdDel, Summary: "Asynchronously deletes one or more keys."},
	{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic",
		Run: cmdExists, Summary: "Determines whether one or more keys exist."},
	{Name: "touch", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic",
		Run: cmdExists, Summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed."},
	{Name: "type", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: cmdType, Summary: "Determines the type of value stored at a key."},
	{Name: "keys", Arity: 2, Flags: ReadOnly, Group: "generic", Run: cmdKeys,
		Summary: "Returns all key names that match a pattern."},
	{Name: "scan", Arity: -2, Flags: ReadOnly, Group: "generic", Run: cmdScan,
		Summary: "Iterates over the key names in the database."},
	{Name: "randomkey", Arity: 1, Flags: ReadOnly, Group: "generic", Run: cmdRandomKey,
		Summary: "Returns a random key name from the database."},
	{Name: "rename", Arity: 3, Flags: Write, FirstKey: 1, LastKey: 2, Step: 1, Group: "generic",
		Run: func(c *Call) { rename(c, false) }, Summary: "Renames a key and overwrites the destination."},
	{Name: "renamenx", Arity: 3, Flags: Write | Fast, FirstKey: 1, LastKey: 2, Step: 1, Group: "generic",
		Run: func(c *Call) { rename(c, true) }, Summary: "Renames a key only when the target key name doesn't exist."},
	{Name: "copy", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "generic",
		Run: cmdCopy, Summary: "Copies the value of a key to a new key."},
	{Name: "move", Arity: 3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
		Run: cmdMove, Summary: "Moves a key to another database."},
}

func cmdDel(c *Call) {
	n := 0
	for _, k := range c.Args[1:] {
		if c.DB.Delete(k) {
			n++
		}
	}
	c.W.Int(int64(n))
}

// cmdExists counts the keys that exist (a key given twice counts twice);
// as TOUCH, it also marks them used.
func cmdExists(c *Call) {
	n := 0
	for _, k := range c.Args[1:] {
		if c.DB.Get(k) != nil {
			n++
		}
	}
	c.W.Int(int64(n))
}

func cmdType(c *Call) {
	if v := c.DB.Get(c.Args[1]); v != nil {
		c.W.Simple(v.Type())
		return
	}
	c.W.Simple("none")
}

// cmdKeys is KEYS pattern: every live key that matches, "*" without matching.
func cmdKeys(c *Call) {
	all := len(c.Args[1]) == 1 && c.Args[1][0] == '*'
	pattern := globCompact(c.Args[1])
	var keys []string
	c.DB.keys.each(func(k string, _ *entry) bool {
		if (all || globMatch(pattern, []byte(k), false)) && !c.DB.isExpired(k) {
			keys = append(keys, k)
		}
		return true
	})
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT n] [TYPE type].
func cmdScan(c *Call) {
	cursor, ok := parseCursor(c.Args[1])
	if !ok {
		c.W.Error(ErrInvalidCursor)
		return
	}
	var typ []byte
	args := c.Args
	for i := 2; i+1 < len(args); i += 2 {
		if argIs(args[i], "type") {
			typ = args[i+1]
			args = append(args[:i:i], args[i+2:]...)
			i -= 2
		}
	}
	o, ok := parseScanArgs(&Call{Args: args, W: c.W}, 2)
	if !ok {
		return
	}
	var keys []string
	next := c.DB.keys.scan(cursor, o.count, func(k string, e *entry) {
		if c.DB.isExpired(k) || !o.matches(k) || typ != nil && !strings.EqualFold(e.v.Type(), string(typ)) {
			return
		}
		keys = append(keys, k)
	})
	c.W.Array(2)
	c.W.BulkString(formatUint(next))
	c.W.Array(len(keys))
	for _, k := range keys {
		c.W.BulkString(k)
	}
}

func cmdRandomKey(c *Call) {
	// Tries a few random keys for a live one, as Redis does; a database
	// whose every key has expired answers null once they are gone.
	for tries := 0; c.DB.Len() > 0 && tries < 100; tries++ {
		k, _ := c.DB.keys.random()
		if !c.DB.isExpired(k) {
			c.W.BulkString(k)
			return
		}
		c.DB.Get([]byte(k)) // removes it
	}
	c.W.Null()
}

// rename is RENAME and RENAMENX: the value and its time to live move.
func rename(c *Call, nx bool) {
	src, dst := c.Args[1], c.Args[2]
	v := c.DB.Get(src)
	if v == nil {
		c.W.Error(ErrNoSuchKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.W.Int(0)
		} else {
			c.W.OK()
		}
		return
	}
	if nx && c.DB.Get(dst) != nil {
		c.W.Int(0)
		return
	}
	ttl := c.DB.TTL(src)
	c.DB.Delete(src)
	c.DB.Set(dst, v, false)
	if ttl >= 0 {
		c.DB.Expire(dst, ttl)
	}
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

// cmdCopy is COPY source destination [DB index] [REPLACE].
func cmdCopy(c *Call) {
	dst, replace := c.DB, false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case argIs(c.Args[i], "replace"):
			replace = true
		case argIs(c.Args[i], "db") && i+1 < len(c.Args):
			n, ok := c.dbIndex(i + 1)
			if !ok {
				return
			}
			dst = c.Store.dbs[n]
			i++
		default:
			c.W.Error(ErrSyntax)
			return
		}
	}
	src, to := c.Args[1], c.Args[2]
	if dst == c.DB && string(src) == string(to) {
		c.W.Error("ERR source and destination objects are the same")
		return
	}
	v := c.DB.Get(src)
	if v == nil || !replace && dst.Get(to) != nil {
		c.W.Int(0)
		return
	}
	dst.Set(to, copyValue(v), false)
	if ttl := c.DB.TTL(src); ttl >= 0 {
		dst.Expire(to, ttl)
	}
	c.W.Int(1)
}

// cmdMove is MOVE key db: only to a database that lacks the key.
func cmdMove(c *Call) {
	n, ok := c.dbIndex(2)
	if !ok {
		return
	}
	dst := c.Store.dbs[n]
	if dst == c.DB {
		c.W.Error("ERR source and destination objects are the same")
		return
	}
	key := c.Args[1]
	v := c.DB.Get(key)
	if v == nil || dst.Get(key) != nil {
		c.W.Int(0)
		return
	}
	ttl := c.DB.TTL(key)
	c.DB.Delete(key)
	dst.Set(key, v, false)
	if ttl >= 0 {
		dst.Expire(key, ttl)
	}
	c.W.Int(1)
}
