package resp

import "strconv"

// The set commands (Redis 7.0's @set group), run by the key space. Each is
// Redis's t_type.c handler in its order of checks: which error a bad call
// gets depends on it. Values are *Set (set_value.go).

var setCommands = []Command{
	{Name: "sadd", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Add one or more members to a set", Run: cmdSadd},
	{Name: "srem", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Remove one or more members from a set", Run: cmdSrem},
	{Name: "smembers", Arity: 2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Get all the members in a set", Run: cmdSmembers},
	{Name: "sismember", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Determine if a given value is a member of a set", Run: cmdSismember},
	{Name: "smismember", Arity: -3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Returns the membership associated with the given elements for a set", Run: cmdSmismember},
	{Name: "scard", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Get the number of members in a set", Run: cmdScard},
	{Name: "spop", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Remove and return one or multiple random members from a set", Run: cmdSpop},
	{Name: "srandmember", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Get one or multiple random members from a set", Run: cmdSrandmember},
	{Name: "smove", Arity: 4, Flags: Write | Fast, FirstKey: 1, LastKey: 2, Step: 1, Group: "set", Summary: "Move a member from one set to another", Run: cmdSmove},
	{Name: "sinter", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Summary: "Intersect multiple sets", Run: cmdSinter},
	{Name: "sintercard", Arity: -3, Flags: ReadOnly, Group: "set", Summary: "Intersect multiple sets and return the cardinality of the result", Keys: numkeysKeys(1), Run: cmdSintercard},
	{Name: "sinterstore", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Summary: "Intersect multiple sets and store the resulting set in a key", Run: cmdSinterstore},
	{Name: "sunion", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Summary: "Add multiple sets", Run: cmdSunion},
	{Name: "sunionstore", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Summary: "Add multiple sets and store the resulting set in a key", Run: cmdSunionstore},
	{Name: "sdiff", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Summary: "Subtract multiple sets", Run: cmdSdiff},
	{Name: "sdiffstore", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Group: "set", Summary: "Subtract multiple sets and store the resulting set in a key", Run: cmdSdiffstore},
	{Name: "sscan", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "set", Summary: "Incrementally iterate Set elements", Run: cmdSscan},
}

func cmdSadd(c *Call) {
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	created := s == nil
	if created {
		s = newSet()
	}
	added := 0
	for _, m := range c.Args[2:] {
		if !created && s.Has(string(m)) { // a member already: no copy made (Add keeps its string)
			continue
		}
		if s.Add(string(m)) {
			added++
		}
	}
	if created {
		c.DB.Set(c.Args[1], s, false)
	} else if added > 0 {
		c.DB.Changed(c.Args[1])
	}
	c.W.Int(int64(added))
}

func cmdSrem(c *Call) {
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	removed := 0
	if s != nil {
		for _, m := range c.Args[2:] {
			if s.Remove(string(m)) {
				removed++
			}
		}
		setWritten(c, c.Args[1], s, removed > 0)
	}
	c.W.Int(int64(removed))
}

// setWritten records a change to the set at key: an empty set is deleted, as
// Redis never keeps one.
func setWritten(c *Call, key []byte, s *Set, changed bool) {
	switch {
	case s.Len() == 0:
		c.DB.Delete(key)
	case changed:
		c.DB.Changed(key)
	}
}

func cmdSmembers(c *Call) {
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Set(0)
		return
	}
	writeSet(c.W, s)
}

// writeSet writes s's members as a set reply (an array in RESP2).
func writeSet(w *Writer, s *Set) {
	w.Set(s.Len())
	s.Each(func(m string) bool { w.BulkString(m); return true })
}

func cmdSismember(c *Call) {
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	c.W.Int(b2i(s != nil && s.Has(string(c.Args[2]))))
}

func cmdSmismember(c *Call) {
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		c.W.Int(b2i(s != nil && s.Has(string(m))))
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmdScard(c *Call) {
	s, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	n := 0
	if s != nil {
		n = s.Len()
	}
	c.W.Int(int64(n))
}

func cmdSmove(c *Call) {
	src, ok := Lookup[*Set](c, c.Args[1])
	if !ok {
		return
	}
	if src == nil {
		c.W.Int(0)
		return
	}
	dst, ok := Lookup[*Set](c, c.Args[2])
	if !ok {
		return
	}
	m := string(c.Args[3])
	if dst == src {
		c.W.Int(b2i(src.Has(m)))
		return
	}
	if !src.Remove(m) {
		c.W.Int(0)
		return
	}
	setWritten(c, c.Args[1], src, true)
	if dst == nil {
		dst = newSet()
		dst.Add(m)
		c.DB.Set(c.Args[2], dst, false)
	} else if dst.Add(m) {
		c.DB.Changed(c.Args[2])
	}
	c.W.Int(1)
}

func cmdSscan(c *Call) {
	cursor, s, o, ok := scanStart[*Set](c)
	if !ok {
		return
	}
	var found []string
	next := s.Scan(cursor, o.count, func(m string) {
		if o.matches(m) {
			found = append(found, m)
		}
	})
	writeScan(c.W, next, found)
}

// writeEmptyScan is Redis's reply to a scan of a missing key: cursor 0, nothing.
func writeEmptyScan(w *Writer) { writeScan(w, 0, nil) }

// writeScan writes a scan's reply: the next cursor (a bulk string) and the
// elements found, as one array in both protocols.
func writeScan(w *Writer, next uint64, found []string) {
	w.Array(2)
	w.BulkString(strconv.FormatUint(next, 10))
	w.Array(len(found))
	for _, m := range found {
		w.BulkString(m)
	}
}
