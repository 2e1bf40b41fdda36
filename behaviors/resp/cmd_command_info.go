package resp

// writeInfo writes one command's COMMAND INFO entry, as Redis 7.0 lays it
// out: name, arity, flags, first key, last key, step, ACL categories, tips,
// key specs, subcommands. The categories and the one key spec are derived
// from the table's flags, group and keys (see the divergences in the tests).
func writeInfo(w *Writer, c *Command) {
	w.Array(10)
	w.BulkString(c.fullName)
	w.Int(int64(c.Arity))
	flags := c.Flags.Names()
	if c.Keys != nil {
		flags = append(flags, "movablekeys")
	}
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.Int(int64(c.FirstKey))
	w.Int(int64(c.LastKey))
	w.Int(int64(c.Step))
	cats := categories(c)
	w.Set(len(cats))
	for _, cat := range cats {
		w.Simple("@" + cat)
	}
	w.Set(0) // tips
	writeKeySpecs(w, c)
	w.Set(len(c.Subs))
	for i := range c.Subs {
		writeInfo(w, &c.Subs[i])
	}
}

// aclCategories is Redis's list of ACL categories, in its order.
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
	"connection", "transaction", "scripting"}

// groupCategory is the ACL category of each command group.
var groupCategory = map[string]string{"generic": "keyspace", "string": "string", "bitmap": "bitmap",
	"list": "list", "hash": "hash", "set": "set", "sorted-set": "sortedset", "pubsub": "pubsub",
	"connection": "connection", "transactions": "transaction"}

// categories derives a command's ACL categories, in Redis's order.
func categories(c *Command) []string {
	has := map[string]bool{groupCategory[c.Group]: true}
	has["read"] = c.Flags&ReadOnly != 0
	has["write"] = c.Flags&Write != 0
	has["admin"] = c.Flags&Admin != 0
	has["dangerous"] = c.Flags&Admin != 0
	has["pubsub"] = has["pubsub"] || c.Flags&PubSub != 0
	has["fast"] = c.Flags&Fast != 0
	has["slow"] = c.Flags&Fast == 0
	has["blocking"] = c.Flags&Blocking != 0
	var cats []string
	for _, cat := range aclCategories {
		if has[cat] {
			cats = append(cats, cat)
		}
	}
	return cats
}

// hasCategory says whether c is in ACL category cat.
func hasCategory(c *Command, cat string) bool {
	for _, have := range categories(c) {
		if have == cat {
			return true
		}
	}
	return false
}

// writeKeySpecs writes the one key spec the table's first/last/step make:
// an index to begin at, a range to find the keys in.
func writeKeySpecs(w *Writer, c *Command) {
	if c.FirstKey == 0 {
		w.Set(0)
		return
	}
	w.Set(1)
	w.Map(3)
	w.BulkString("flags")
	access := []string{"RW", "update"}
	if c.Flags&Write == 0 {
		access = []string{"RO", "access"}
	}
	w.Set(len(access))
	for _, a := range access {
		w.Simple(a)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(c.FirstKey))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	last := c.LastKey
	if last >= 0 {
		last -= c.FirstKey
	}
	w.BulkString("lastkey")
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(max(c.Step, 1)))
	w.BulkString("limit")
	w.Int(0)
}
