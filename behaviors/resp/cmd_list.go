package resp

// listCommands are the list group's, as Redis 7.0 has them (COMMAND INFO's
// arity, flags and keys; COMMAND DOCS's summaries). The value type is List
// (list_value.go); the commands that move elements between lists, and the
// blocking ones, are in cmd_list_move.go.
var listCommands = []Command{
	listCmd("lpush", -3, Write|DenyOOM|Fast, cmdLPush, "Prepend one or multiple elements to a list"),
	listCmd("rpush", -3, Write|DenyOOM|Fast, cmdRPush, "Append one or multiple elements to a list"),
	listCmd("lpushx", -3, Write|DenyOOM|Fast, cmdLPushX, "Prepend an element to a list, only if the list exists"),
	listCmd("rpushx", -3, Write|DenyOOM|Fast, cmdRPushX, "Append an element to a list, only if the list exists"),
	listCmd("lpop", -2, Write|Fast, cmdLPop, "Remove and get the first elements in a list"),
	listCmd("rpop", -2, Write|Fast, cmdRPop, "Remove and get the last elements in a list"),
	listCmd("llen", 2, ReadOnly|Fast, cmdLLen, "Get the length of a list"),
	listCmd("lrange", 4, ReadOnly, cmdLRange, "Get a range of elements from a list"),
	listCmd("lindex", 3, ReadOnly, cmdLIndex, "Get an element from a list by its index"),
	listCmd("lset", 4, Write|DenyOOM, cmdLSet, "Set the value of an element in a list by its index"),
	listCmd("linsert", 5, Write|DenyOOM, cmdLInsert, "Insert an element before or after another element in a list"),
	listCmd("lrem", 4, Write, cmdLRem, "Remove elements from a list"),
	listCmd("ltrim", 4, Write, cmdLTrim, "Trim a list to the specified range"),
	listCmd("lpos", -3, ReadOnly, cmdLPos, "Return the index of matching elements on a list"),
}

// listCmd is a table entry of a list command whose one key is the first
// argument.
func listCmd(name string, arity int, flags Flag, run Handler, summary string) Command {
	return Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "list", Summary: summary, Run: run}
}

// saveList records a write to l at key: a new list is added to the
// database if it has elements; an existing one is marked changed (which
// wakes the requests parked on it), or deleted if it is empty (Redis keeps
// no empty list).
func saveList(c *Call, key []byte, l *List, isNew bool) {
	switch {
	case isNew && l.Len() > 0:
		c.DB.Set(key, l, false)
	case isNew:
	case l.Len() == 0:
		c.DB.Delete(key)
	default:
		c.DB.Changed(key)
	}
}

func cmdLPush(c *Call)  { push(c, true, false) }
func cmdRPush(c *Call)  { push(c, false, false) }
func cmdLPushX(c *Call) { push(c, true, true) }
func cmdRPushX(c *Call) { push(c, false, true) }

// push is [LR]PUSH[X]: the elements in argument order at one end, the
// length after as the reply. The X forms do nothing to a missing key (0).
func push(c *Call, left, onlyIfExists bool) {
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	isNew := l == nil
	if isNew {
		if onlyIfExists {
			c.W.Int(0)
			return
		}
		l = &List{}
	}
	for _, v := range c.Args[2:] {
		if left {
			l.PushFront(v) // the list copies v
		} else {
			l.PushBack(v)
		}
	}
	saveList(c, c.Args[1], l, isNew)
	c.W.Int(int64(l.Len()))
}

func cmdLPop(c *Call) { pop(c, true) }
func cmdRPop(c *Call) { pop(c, false) }

// pop is [LR]POP key [count]: without a count one element (a null for a
// missing key), with one an array of up to count (a null array for a
// missing key, an empty one for count 0).
func pop(c *Call, left bool) {
	if len(c.Args) > 3 {
		c.ArityError()
		return
	}
	hasCount := len(c.Args) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = c.count(2); !ok {
			return
		}
	}
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	switch {
	case l == nil && hasCount:
		c.W.NullArray()
	case l == nil:
		c.W.Null()
	case !hasCount:
		c.W.Bulk(popOne(l, left))
		saveList(c, c.Args[1], l, false)
	case count == 0:
		c.W.Array(0)
	default:
		popRange(c, l, left, count)
		saveList(c, c.Args[1], l, false)
	}
}

// popOne takes one element from an end of l (not empty).
func popOne(l *List, left bool) []byte {
	if left {
		return l.PopFront()
	}
	return l.PopBack()
}

// popRange pops up to count elements from an end of l (not empty) and
// writes them as an array, in the order they were popped.
func popRange(c *Call, l *List, left bool, count int64) {
	n := int(min(count, int64(l.Len())))
	c.W.Array(n)
	for i := 0; i < n; i++ {
		c.W.Bulk(popOne(l, left))
	}
}

func cmdLLen(c *Call) {
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(l.Len()))
}

// listIndex turns a Redis index (negative counts from the tail) into a
// position in l, and says whether it is inside the list.
func listIndex(l *List, i int64) (int, bool) {
	n := int64(l.Len())
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return 0, false
	}
	return int(i), true
}

// cmdLIndex looks the key up before it parses the index, as Redis does: a
// missing key is a null whatever the index says.
func cmdLIndex(c *Call) {
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Null()
		return
	}
	i, ok := c.Int(2)
	if !ok {
		return
	}
	if p, in := listIndex(l, i); in {
		c.W.Bulk(l.At(p))
		return
	}
	c.W.Null()
}

func cmdLSet(c *Call) {
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l == nil {
		c.W.Error(ErrNoSuchKey)
		return
	}
	i, ok := c.Int(2)
	if !ok {
		return
	}
	p, in := listIndex(l, i)
	if !in {
		c.W.Error("ERR index out of range")
		return
	}
	l.Set(p, c.Args[3]) // the list copies it
	c.DB.Changed(c.Args[1])
	c.W.OK()
}

// indexRange turns the start and stop indexes of LRANGE, LTRIM and ZRANGE
// (negative from the end) into positions 0 <= from <= to < n, as Redis
// sanitizes them, or says the range is empty.
func indexRange(start, stop int64, n int) (from, to int, ok bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	start = max(start, 0)
	if start > stop || start >= ln {
		return 0, 0, false
	}
	return int(start), int(min(stop, ln-1)), true
}

// rangeArgs is LRANGE's and LTRIM's key start stop, read in Redis's order:
// start and stop before the key is looked at. l is nil for a missing key;
// ok false means it has replied.
func rangeArgs(c *Call) (start, stop int64, l *List, ok bool) {
	if start, ok = c.Int(2); !ok {
		return 0, 0, nil, false
	}
	if stop, ok = c.Int(3); !ok {
		return 0, 0, nil, false
	}
	l, ok = Lookup[*List](c, c.Args[1])
	return start, stop, l, ok
}

// cmdLRange parses start and stop before it looks at the key, as Redis does.
func cmdLRange(c *Call) {
	start, stop, l, ok := rangeArgs(c)
	if !ok {
		return
	}
	if l == nil {
		c.W.Array(0)
		return
	}
	from, to, in := indexRange(start, stop, l.Len())
	if !in {
		c.W.Array(0)
		return
	}
	c.W.Array(to - from + 1)
	l.walk(from, to, func(e []byte) { c.W.Bulk(e) })
}

func cmdLTrim(c *Call) {
	start, stop, l, ok := rangeArgs(c)
	if !ok {
		return
	}
	if l != nil {
		if from, to, in := indexRange(start, stop, l.Len()); in {
			l.Trim(from, to)
		} else {
			l.Trim(0, -1)
		}
		saveList(c, c.Args[1], l, false)
	}
	c.W.OK()
}
