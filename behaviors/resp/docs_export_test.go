package resp

// DocCommands returns the command table as docs/resp.md lists it: for each
// group, its commands in the table's order, a container's subcommands as
// "CLIENT ID", all upper case. The test-only commands (group "test") are
// left out: the real binary has no such command.
func DocCommands() map[string][]string {
	groups := make(map[string][]string)
	for _, c := range table {
		if c.Group == "test" {
			continue
		}
		if len(c.Subs) == 0 {
			groups[c.Group] = append(groups[c.Group], upper(c.Name))
			continue
		}
		for _, s := range c.Subs {
			groups[c.Group] = append(groups[c.Group], upper(c.Name)+" "+upper(s.Name))
		}
	}
	return groups
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
