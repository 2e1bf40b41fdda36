package resp

import "strings"

// commandCommands is COMMAND, which answers from the table.
var commandCommands = []Command{
	{Name: "command", Arity: -1, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandAll,
		Summary: "Returns detailed information about all commands.",
		Subs: []Command{
			{Name: "count", Arity: 2, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandCount,
				Summary: "Returns a count of commands."},
			{Name: "list", Arity: -2, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandList,
				Summary: "Returns a list of command names."},
			{Name: "info", Arity: -2, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandInfo,
				Summary: "Returns information about one, multiple or all commands."},
			{Name: "docs", Arity: -2, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandDocs,
				Summary: "Returns documentary information about one, multiple or all commands."},
			{Name: "getkeys", Arity: -4, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandGetKeys,
				Summary: "Extracts the key names from an arbitrary command."},
			{Name: "help", Arity: 2, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdCommandHelp,
				Summary: "Returns helpful text about the different subcommands."},
		}},
}

// cmdCommandAll is COMMAND alone: every command's INFO. (The table's
// container has subcommands, so the dispatcher sends "COMMAND x" to them and
// only a bare COMMAND here.)
func cmdCommandAll(c *Call) {
	c.W.Array(len(table))
	for _, cmd := range table {
		writeInfo(c.W, cmd)
	}
}

func cmdCommandCount(c *Call) { c.W.Int(int64(len(table))) }

// cmdCommandList is COMMAND LIST [FILTERBY MODULE m | ACLCAT cat | PATTERN p].
func cmdCommandList(c *Call) {
	var keep func(*Command) bool
	switch {
	case len(c.Args) == 2:
		var names []string
		for _, cmd := range table {
			names = append(names, cmd.Name)
		}
		writeNames(c.W, names)
		return
	case len(c.Args) == 5 && strings.EqualFold(string(c.Args[2]), "filterby"):
		arg := c.Args[4]
		switch strings.ToLower(string(c.Args[3])) {
		case "module":
			keep = func(*Command) bool { return false }
		case "aclcat":
			keep = func(cmd *Command) bool { return hasCategory(cmd, strings.ToLower(string(arg))) }
		case "pattern":
			keep = func(cmd *Command) bool { return globMatch(arg, []byte(cmd.fullName), true) }
		}
	}
	if keep == nil {
		c.W.Error(ErrSyntax)
		return
	}
	var names []string
	for _, cmd := range flat {
		if keep(cmd) {
			names = append(names, cmd.fullName)
		}
	}
	writeNames(c.W, names)
}

func writeNames(w *Writer, names []string) {
	w.Array(len(names))
	for _, n := range names {
		w.BulkString(n)
	}
}

// cmdCommandInfo is COMMAND INFO [name ...]: null for a name not in the table.
func cmdCommandInfo(c *Call) {
	if len(c.Args) == 2 {
		cmdCommandAll(c)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, name := range c.Args[2:] {
		if cmd := lookupFull(name); cmd != nil {
			writeInfo(c.W, cmd)
		} else {
			c.W.Null()
		}
	}
}

// lookupFull finds a command by its full name ("config|get" too).
func lookupFull(name []byte) *Command {
	n := strings.ToLower(string(name))
	if i := strings.IndexByte(n, '|'); i >= 0 {
		if parent := byName[n[:i]]; parent != nil {
			return parent.lookupSub([]byte(n[i+1:]))
		}
		return nil
	}
	return byName[n]
}

// cmdCommandDocs is COMMAND DOCS [name ...]: a map of name to its docs (the
// summary and group; unknown names are left out, as Redis leaves them).
func cmdCommandDocs(c *Call) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = table
	} else {
		for _, name := range c.Args[2:] {
			if cmd := lookupFull(name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.Map(len(cmds))
	for _, cmd := range cmds {
		c.W.BulkString(cmd.fullName)
		writeDocs(c.W, cmd)
	}
}

func writeDocs(w *Writer, cmd *Command) {
	n := 2
	if len(cmd.Subs) > 0 {
		n++
	}
	w.Map(n)
	w.BulkString("summary")
	w.BulkString(cmd.Summary)
	w.BulkString("group")
	w.BulkString(cmd.Group)
	if len(cmd.Subs) > 0 {
		w.BulkString("subcommands")
		w.Map(len(cmd.Subs))
		for i := range cmd.Subs {
			w.BulkString(cmd.Subs[i].fullName)
			writeDocs(w, &cmd.Subs[i])
		}
	}
}

// cmdCommandGetKeys is COMMAND GETKEYS command [arg ...].
func cmdCommandGetKeys(c *Call) {
	args := c.Args[2:]
	cmd := lookup(args[0])
	if cmd != nil && len(cmd.Subs) > 0 && len(args) >= 2 {
		cmd = cmd.lookupSub(args[1])
	}
	switch {
	case cmd == nil:
		c.W.Error("ERR Invalid command specified")
	case !cmd.arityOK(len(args)):
		c.W.Error("ERR Invalid number of arguments specified for command")
	case cmd.FirstKey == 0 && cmd.Keys == nil:
		c.W.Error("ERR The command has no key arguments")
	default:
		idx := cmd.keysOf(args)
		if len(idx) == 0 {
			c.W.Error("ERR Invalid arguments specified for command")
			return
		}
		c.W.Array(len(idx))
		for _, i := range idx {
			c.W.Bulk(args[i])
		}
	}
}

func cmdCommandHelp(c *Call) {
	lines := []string{
		"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"(no subcommand)", "    Return details about all Redis commands.",
		"COUNT", "    Return the total number of commands in this Redis server.",
		"LIST", "    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>", "    Return the keys from a full Redis command.",
		"HELP", "    Prints this help.",
	}
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Simple(l)
	}
}
