package resp

// objectCommands is OBJECT: what the key space knows of a key's value.
var objectCommands = []Command{
	{Name: "object", Arity: -2, Group: "generic", Summary: "A container for object introspection commands.",
		Subs: []Command{
			{Name: "encoding", Arity: 3, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Group: "generic",
				Run: cmdObjectEncoding, Summary: "Returns the internal encoding of a Redis object."},
			{Name: "freq", Arity: 3, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Group: "generic",
				Run: cmdObjectFreq, Summary: "Returns the logarithmic access frequency counter of a Redis object."},
			{Name: "idletime", Arity: 3, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Group: "generic",
				Run: cmdObjectIdleTime, Summary: "Returns the time since the last access to a Redis object."},
			{Name: "refcount", Arity: 3, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Group: "generic",
				Run: cmdObjectRefCount, Summary: "Returns the reference count of a value of a key."},
			{Name: "help", Arity: 2, Flags: Loading | Stale, Group: "generic", Where: OnConn, Run: cmdObjectHelp,
				Summary: "Returns helpful text about the different subcommands."},
		}},
}

// peek returns key's entry without counting it as a use (OBJECT must not
// change the idle time it reports), or nil.
func (c *Call) peek(key []byte) *entry {
	e := c.DB.entry(key)
	if e == nil || c.DB.expired(key) {
		return nil
	}
	return e
}

func cmdObjectEncoding(c *Call) {
	if e := c.peek(c.Args[2]); e != nil {
		c.W.BulkString(e.v.Encoding())
		return
	}
	c.W.Null()
}

// cmdObjectFreq: the key's LFU counter (lfu.go) under an LFU policy, else,
// as Redis, an error for a key that exists.
func cmdObjectFreq(c *Call) {
	e := c.peek(c.Args[2])
	switch {
	case e == nil:
		c.W.Null()
	case !c.Store.lfu():
		c.W.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	default:
		c.W.Int(int64(e.lfuCount(c.Store.now)))
	}
}

// cmdObjectIdleTime: seconds since the key was last used, except under an
// LFU policy, where Redis does not keep that time (its error; it is kept
// here, but answered as Redis).
func cmdObjectIdleTime(c *Call) {
	e := c.peek(c.Args[2])
	switch {
	case e == nil:
		c.W.Null()
	case c.Store.lfu():
		c.W.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	default:
		c.W.Int((c.Store.now - e.used) / 1000)
	}
}

// cmdObjectRefCount: values are never shared here, so 1 (Redis shares small
// integers and says 2147483647 for them).
func cmdObjectRefCount(c *Call) {
	if c.peek(c.Args[2]) == nil {
		c.W.Null()
		return
	}
	c.W.Int(1)
}

func cmdObjectHelp(c *Call) {
	lines := []string{
		"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
		"    <key>.",
		"HELP", "    Prints this help.",
	}
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Simple(l)
	}
}
