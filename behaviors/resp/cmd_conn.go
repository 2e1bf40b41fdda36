package resp

// connCommands are the connection group's commands that run on the
// connection itself.
var connCommands = []Command{
	{Name: "ping", Arity: -1, Flags: Fast, Group: "connection", Where: OnConn, Run: cmdPing,
		Summary: "Returns the server's liveliness response."},
	{Name: "echo", Arity: 2, Flags: Fast, Group: "connection", Where: OnConn, Run: cmdEcho,
		Summary: "Returns the given string."},
	{Name: "quit", Arity: -1, Flags: NoAuth | Fast | AllowBusy | Loading | Stale | NoScript, Group: "connection",
		Where: OnConn, Run: cmdQuit, Summary: "Closes the connection."},
	{Name: "select", Arity: 2, Flags: Loading | Stale | Fast, Group: "connection", Where: OnConn, Run: cmdSelect,
		Summary: "Changes the selected database."},
}

func cmdPing(c *Call) {
	if c.Sess.subscribed() && c.W.Proto == 2 && len(c.Args) <= 2 {
		pingSubscribed(c)
		return
	}
	switch len(c.Args) {
	case 1:
		c.W.Simple("PONG")
	case 2:
		c.W.Bulk(c.Args[1])
	default:
		c.ArityError()
	}
}

func cmdEcho(c *Call) { c.W.Bulk(c.Args[1]) }

// cmdQuit answers OK; the connection closes once everything before it is
// written.
func cmdQuit(c *Call) {
	c.W.OK()
	c.Sess.quit = true
}

func cmdSelect(c *Call) {
	n, ok := c.dbIndex(1)
	if !ok {
		return
	}
	c.Sess.db = n
	c.Sess.ci.db.Store(int32(n))
	c.W.OK()
}
