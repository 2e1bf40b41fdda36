package resp

// TEST.CLIENTS answers how many connections the key space keeps a record
// of (Store.clients): those that have sent it a command and not ended.
var testClientCommands = []Command{
	{Name: "test.clients", Arity: 1, Group: "test", Run: func(c *Call) { c.W.Int(int64(len(c.Store.clients.M))) }},
}

func init() {
	commandFiles = append(commandFiles, testClientCommands)
	table, flat, byName = buildTable()
}
