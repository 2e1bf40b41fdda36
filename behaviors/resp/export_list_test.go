package resp

// TEST.BLOCKED (test binaries only, as export_test.go's commands) answers
// how many connections have a request parked in the key space: what the
// blocking list tests wait on before they push, as Redis's own tests wait
// on INFO's blocked_clients, so that a push cannot overtake the command it
// is meant to wake.
var listTestCommands = []Command{
	{Name: "test.blocked", Arity: 1, Group: "test", Run: func(c *Call) {
		n := 0
		for _, cl := range c.Store.clients {
			if cl.parked != nil {
				n++
			}
		}
		c.W.Int(int64(n))
	}},
}

func init() {
	commandFiles = append(commandFiles, listTestCommands)
	table, flat, byName = buildTable()
}
