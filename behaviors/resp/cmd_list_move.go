package resp

// The list commands that pop from one of several lists or move an element
// between lists, and their blocking forms. A blocking command that finds
// nothing to pop parks (Call.Block): the key space runs it again when one
// of its keys changes (Call.Woken), until it pops something or its timeout
// passes (a null array then). Run again, it looks at the woken key alone,
// as Redis 7.0 serves a blocked client. Under MULTI it answers at once, as
// Redis does.

var listMoveCommands = []Command{
	{Name: "lmove", Arity: 5, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "list",
		Run: cmdLMove, Summary: "Pop an element from a list, push it to another list and return it"},
	{Name: "rpoplpush", Arity: 3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Group: "list",
		Run: cmdRPopLPush, Summary: "Remove the last element in a list, prepend it to another list and return it"},
	{Name: "lmpop", Arity: -4, Flags: Write, Group: "list", Keys: numkeysKeys(1),
		Run: cmdLMPop, Summary: "Pop elements from a list"},
	{Name: "blpop", Arity: -3, Flags: Write | NoScript | Blocking, FirstKey: 1, LastKey: -2, Step: 1, Group: "list",
		Run: cmdBLPop, Summary: "Remove and get the first element in a list, or block until one is available"},
	{Name: "brpop", Arity: -3, Flags: Write | NoScript | Blocking, FirstKey: 1, LastKey: -2, Step: 1, Group: "list",
		Run: cmdBRPop, Summary: "Remove and get the last element in a list, or block until one is available"},
	{Name: "blmove", Arity: 6, Flags: Write | DenyOOM | NoScript | Blocking, FirstKey: 1, LastKey: 2, Step: 1, Group: "list",
		Run: cmdBLMove, Summary: "Pop an element from a list, push it to another list and return it; or block until one is available"},
	{Name: "brpoplpush", Arity: 4, Flags: Write | DenyOOM | NoScript | Blocking, FirstKey: 1, LastKey: 2, Step: 1, Group: "list",
		Run: cmdBRPopLPush, Summary: "Pop an element from a list, push it to another list and return it; or block until one is available"},
	{Name: "blmpop", Arity: -5, Flags: Write | Blocking, Group: "list", Keys: numkeysKeys(2),
		Run: cmdBLMPop, Summary: "Pop elements from a list, or block until one is available"},
}

// parseWhere parses LEFT or RIGHT (any case) at argument i, writing a syntax
// error for anything else.
func parseWhere(c *Call, i int) (left, ok bool) {
	switch w := string(c.Args[i]); {
	case equalFold(w, "left"):
		return true, true
	case equalFold(w, "right"):
		return false, true
	}
	c.W.Error(ErrSyntax)
	return false, false
}

// parseMoveSides reads [B]LMOVE's wherefrom and whereto (arguments 3 and
// 4), writing the syntax error for the first bad one.
func parseMoveSides(c *Call) (fromLeft, toLeft, ok bool) {
	if fromLeft, ok = parseWhere(c, 3); !ok {
		return false, false, false
	}
	toLeft, ok = parseWhere(c, 4)
	return fromLeft, toLeft, ok
}

func cmdLMove(c *Call) {
	from, to, ok := parseMoveSides(c)
	if !ok {
		return
	}
	move(c, from, to)
}

func cmdRPopLPush(c *Call) { move(c, false, true) }

// move pops from one end of the list at Args[1] and pushes onto one end of
// the list at Args[2] (the same list may be both), replying the element; a
// missing source is a null, whatever the destination holds.
func move(c *Call, fromLeft, toLeft bool) {
	src, dst := c.Args[1], c.Args[2]
	l, ok := Lookup[*List](c, src)
	if !ok {
		return
	}
	if l == nil {
		c.W.Null()
		return
	}
	d, ok := Lookup[*List](c, dst)
	if !ok {
		return
	}
	v := popOne(l, fromLeft)
	isNew := d == nil
	if isNew {
		d = &List{}
	}
	if toLeft {
		d.PushFront(v)
	} else {
		d.PushBack(v)
	}
	saveList(c, dst, d, isNew) // the destination first, as Redis signals them
	if string(src) != string(dst) {
		saveList(c, src, l, false)
	}
	c.W.Bulk(v)
}

func cmdBLMove(c *Call) {
	from, to, ok := parseMoveSides(c)
	if !ok {
		return
	}
	blockingMove(c, 5, from, to)
}

func cmdBRPopLPush(c *Call) { blockingMove(c, 3, false, true) }

// blockingMove is BLMOVE and BRPOPLPUSH: a move, or a wait for the source.
// Under MULTI an empty source is a null (not a null array: Redis answers
// so before it would block, and the null array only at a timeout).
func blockingMove(c *Call, timeoutAt int, fromLeft, toLeft bool) {
	timeout, ok := blockTimeout(c, timeoutAt)
	if !ok {
		return
	}
	if c.Woken != nil { // run again: its source changed
		if _, isList := c.DB.Get(c.Args[1]).(*List); isList {
			move(c, fromLeft, toLeft)
		} else {
			c.Block(c.Args[1:2], timeout, timedOut) // no list there: it stays blocked
		}
		return
	}
	l, ok := Lookup[*List](c, c.Args[1])
	if !ok {
		return
	}
	if l != nil {
		move(c, fromLeft, toLeft)
		return
	}
	if c.InMulti {
		c.W.Null()
		return
	}
	c.Block(c.Args[1:2], timeout, timedOut)
}

// timedOut is the reply of a blocking list command whose time ran out.
func timedOut(w *Writer) { w.NullArray() }

func cmdBLPop(c *Call) { blockingPop(c, true) }
func cmdBRPop(c *Call) { blockingPop(c, false) }

// blockingPop is BLPOP and BRPOP key [key ...] timeout: the first key in
// order that holds a list gives one element, replied with its key; a key of
// another type before it is an error.
func blockingPop(c *Call, left bool) {
	timeout, ok := blockTimeout(c, len(c.Args)-1)
	if !ok {
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	popped := popFirst(c, keys, func(k []byte, l *List) {
		c.W.Array(2)
		c.W.Bulk(k)
		c.W.Bulk(popOne(l, left))
		saveList(c, k, l, false)
	})
	if !popped {
		c.Block(keys, timeout, timedOut)
	}
}

// mpop pops from the first key that holds a list, replying [key, [elements]],
// and says whether it replied (an error included); false means every key
// was missing.
func mpop(c *Call, o mpopArgs) bool {
	return popFirst(c, o.keys, func(k []byte, l *List) {
		c.W.Array(2)
		c.W.Bulk(k)
		popRange(c, l, o.side, o.count)
		saveList(c, k, l, false)
	})
}

func cmdLMPop(c *Call) {
	o, ok := parseMPop(c, 1, parseWhere)
	if ok && !mpop(c, o) {
		c.W.NullArray()
	}
}

// cmdBLMPop is BLMPOP timeout numkeys ...: Redis parses the timeout last.
func cmdBLMPop(c *Call) {
	o, ok := parseMPop(c, 2, parseWhere)
	if !ok {
		return
	}
	timeout, ok := blockTimeout(c, 1)
	if ok && !mpop(c, o) {
		c.Block(o.keys, timeout, timedOut)
	}
}
