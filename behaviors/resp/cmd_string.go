package resp

// stringCommands are the string group's.
var stringCommands = []Command{
	{Name: "get", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdGet, Summary: "Returns the string value of a key."},
	{Name: "set", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "string",
		Run: cmdSet, Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
}

func cmdGet(c *Call) {
	s, ok := Lookup[*Str](c, c.Args[1])
	if !ok {
		return
	}
	if s == nil {
		c.W.Null()
		return
	}
	c.W.Bulk(s.B)
}

func cmdSet(c *Call) {
	c.DB.Set(c.Args[1], &Str{B: clone(c.Args[2])}, false)
	c.W.OK()
}

// clone copies an argument that a value keeps: arguments share their read's
// buffer, which a kept slice would keep alive whole.
func clone(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }
