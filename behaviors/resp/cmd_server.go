package resp

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// serverCommands are the server group's that touch the data or the clock.
var serverCommands = []Command{
	{Name: "dbsize", Arity: 1, Flags: ReadOnly | Fast, Group: "server", Run: cmdDBSize,
		Summary: "Returns the number of keys in the database."},
	{Name: "flushdb", Arity: -1, Flags: Write, Group: "server", Run: cmdFlushDB,
		Summary: "Remove all keys from the current database."},
	{Name: "flushall", Arity: -1, Flags: Write, Group: "server", Run: cmdFlushAll,
		Summary: "Removes all keys from all databases."},
	{Name: "swapdb", Arity: 3, Flags: Write | Fast, Group: "server", Run: cmdSwapDB,
		Summary: "Swaps two Redis databases."},
	{Name: "time", Arity: 1, Flags: Loading | Stale | Fast, Group: "server", Where: OnConn, Run: cmdTime,
		Summary: "Returns the server time."},
	{Name: "lastsave", Arity: 1, Flags: Loading | Stale | Fast, Group: "server", Where: OnConn,
		Run: func(c *Call) { c.W.Int(0) }, Summary: "Returns the Unix timestamp of the last successful save to disk (never, here: 0)."},
	{Name: "debug", Arity: -2, Flags: Admin | NoScript | Loading | Stale, Group: "server", Run: cmdDebug,
		Summary: "A container for debugging commands (SLEEP only, here)."},
}

// cmdDBSize is DBSIZE: the keys of the selected database; in cluster mode
// (on the node's own key space, which holds none) those of the shards the
// node hosts, as Redis Cluster's DBSIZE counts the node asked.
func cmdDBSize(c *Call) { c.W.Int(int64(c.DB.Len()) + c.Srv.shardMem.dbKeys[c.DB.Index].Load()) }

// flushArg checks FLUSHDB's and FLUSHALL's optional ASYNC or SYNC. Both run
// at once: the old maps go to the garbage collector, which is what ASYNC
// asks for.
func flushArg(c *Call) bool {
	if len(c.Args) > 2 || len(c.Args) == 2 && !strings.EqualFold(string(c.Args[1]), "async") &&
		!strings.EqualFold(string(c.Args[1]), "sync") {
		c.W.Error(ErrSyntax)
		return false
	}
	return true
}

func cmdFlushDB(c *Call) {
	if flushArg(c) {
		c.DB.flush()
		c.W.OK()
	}
}

func cmdFlushAll(c *Call) {
	if flushArg(c) {
		for _, db := range c.Store.dbs {
			db.flush()
		}
		c.W.OK()
	}
}

func cmdSwapDB(c *Call) {
	a, ok := c.Int32(1, "ERR invalid first DB index")
	if !ok {
		return
	}
	b, ok := c.Int32(2, "ERR invalid second DB index")
	if !ok {
		return
	}
	if a < 0 || a >= numDBs || b < 0 || b >= numDBs {
		c.W.Error(ErrDBIndex)
		return
	}
	c.Store.swap(a, b)
	c.W.OK()
}

func cmdTime(c *Call) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// maxDebugSleep bounds DEBUG SLEEP: it blocks the whole key space (every
// client's commands, and the shutdown), which redis-server only allows with
// enable-debug-command; any client may send it here, so it may not hold the
// key space for longer than this.
const maxDebugSleep = 10 * time.Second

// cmdDebug is DEBUG SLEEP seconds (and HELP): it blocks the key space for
// that long, as it blocks Redis, up to maxDebugSleep.
func cmdDebug(c *Call) {
	sub := strings.ToLower(string(c.Args[1]))
	switch {
	case sub == "help" && len(c.Args) == 2:
		c.W.Array(2)
		c.W.Simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
		c.W.Simple("SLEEP <seconds>")
	case sub == "sleep" && len(c.Args) == 3:
		f, err := strconv.ParseFloat(string(c.Args[2]), 64)
		if err != nil || math.IsNaN(f) {
			c.W.Error(ErrNotFloat)
			return
		}
		if f*float64(time.Second) > float64(maxDebugSleep) {
			c.W.Error("ERR DEBUG SLEEP takes at most 10 seconds here: it blocks every client")
			return
		}
		time.Sleep(time.Duration(f * float64(time.Second))) // negative: no sleep
		c.W.OK()
	default:
		c.W.Error("ERR Unknown subcommand or wrong number of arguments for '" + cString(c.Args[1], 128) + "'. Try DEBUG HELP.")
	}
}
