package resp

// txCommands are the transactions group's.
var txCommands = []Command{
	{Name: "multi", Arity: 1, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Group: "transactions",
		Where: OnConn, Run: cmdMulti, Summary: "Starts a transaction."},
	{Name: "exec", Arity: 1, Flags: NoScript | Loading | Stale, Group: "transactions",
		Where: OnConn, Run: cmdExec, Summary: "Executes all commands in a transaction."},
	{Name: "discard", Arity: 1, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Group: "transactions",
		Where: OnConn, Run: cmdDiscard, Summary: "Discards a transaction."},
	{Name: "watch", Arity: -2, Flags: NoScript | Loading | Stale | Fast | AllowBusy, FirstKey: 1, LastKey: -1, Step: 1,
		Group: "transactions", Run: cmdWatch, Summary: "Monitors changes to keys to determine the execution of a transaction."},
	{Name: "unwatch", Arity: 1, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Group: "transactions",
		Run: cmdUnwatch, Summary: "Forgets about watched keys of a transaction."},
}

func cmdWatch(c *Call) {
	for _, k := range c.Args[1:] {
		c.Store.watches.watch(c.Client.Id, c.DB.Index, k)
	}
	c.W.OK()
}

func cmdUnwatch(c *Call) {
	c.Store.watches.unwatch(c.Client.Id)
	c.W.OK()
}
