package resp

// TEST.CLIENTS answers how many connections the key space keeps a record
// of (Store.clients): those that have sent it a command and not ended.
// TEST.PAUSED answers how many of them have a request paused after a chunk
// of its replies (client.paused).
var testClientCommands = []Command{
	{Name: "test.clients", Arity: 1, Group: "test", Run: func(c *Call) { c.W.Int(int64(len(c.Store.clients.M))) }},
	{Name: "test.paused", Arity: 1, Group: "test", Run: func(c *Call) {
		n := 0
		for _, cl := range c.Store.clients.M {
			if cl.paused != nil {
				n++
			}
		}
		c.W.Int(int64(n))
	}},
}

func init() {
	commandFiles = append(commandFiles, testClientCommands)
	table, flat, byName = buildTable()
}
