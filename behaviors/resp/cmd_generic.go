package resp

// genericCommands are the generic group's: commands on keys of any type.
var genericCommands = []Command{
	{Name: "del", Arity: -2, Flags: Write, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic",
		Run: cmdDel, Summary: "Deletes one or more keys."},
	{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Group: "generic",
		Run: cmdExists, Summary: "Determines whether one or more keys exist."},
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

func cmdExists(c *Call) {
	n := 0
	for _, k := range c.Args[1:] {
		if c.DB.Get(k) != nil {
			n++
		}
	}
	c.W.Int(int64(n))
}
