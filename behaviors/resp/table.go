package resp

import (
	"slices"
	"strings"
)

// Command is one entry of the command table: what Redis's command table
// (commands.def) and mini-redis's cmd/mod.rs hold. COMMAND answers from it,
// the connection checks arity and flags with it before it runs Run.
type Command struct {
	Name  string // lower case, as COMMAND lists it
	Arity int    // Redis's convention: N means exactly N words, the name included; -N at least N
	Flags Flag
	// FirstKey, LastKey, Step locate the keys among the words, as COMMAND
	// INFO has them: the first key's index (0: no keys), the last one's (-1:
	// the last word, -2 the one before), the step between keys.
	FirstKey, LastKey, Step int
	// Keys finds the keys of a command whose keys move (Redis's movablekeys
	// flag: a numkeys argument, as ZUNIONSTORE's) among its words; nil for
	// the others, whose keys FirstKey, LastKey and Step give.
	Keys    func(args [][]byte) []int
	Group   string // COMMAND DOCS's group: "string", "list", "generic", ...
	Summary string // COMMAND DOCS's summary
	Where   Where  // who runs it
	Run     Handler
	// Subs are a container command's subcommands (CONFIG GET, CLIENT ID):
	// each an entry of its own, named by its word after the container's
	// (lower case); the container's own Run is not used.
	Subs []Command

	fullName string // "config|get" for a subcommand, else Name
	index    int    // in flat
	parent   *Command
}

// FullName is the name Redis's errors and COMMAND use: "config|get" for a
// subcommand.
func (c *Command) FullName() string { return c.fullName }

// Handler runs one command: it reads c.Args and writes exactly one reply
// with c.W (see Call).
type Handler func(c *Call)

// Where says who runs a command. A command of the key space or the broker
// goes there in its connection's batch; a connection command runs on the
// connection, with c.Sess, in order with the others' replies.
type Where uint8

const (
	OnKeySpace Where = iota // the key space service (the default): c.DB, c.Store
	OnConn                  // the connection itself: c.Sess
	OnBroker                // the pub/sub broker service: c.Broker
)

// Flag is a command's flags, as COMMAND INFO lists them.
type Flag uint32

const (
	Write       Flag = 1 << iota // may change the data
	ReadOnly                     // reads the data only
	DenyOOM                      // refused over -maxmemory (it may add data)
	Admin                        // a server administration command
	PubSub                       // a pub/sub command
	NoScript                     // not allowed in scripts
	Blocking                     // may block its connection
	Loading                      // allowed while loading (always, here)
	Stale                        // allowed on a stale replica (always, here)
	SkipMonitor                  // not shown by MONITOR
	Fast                         // O(1) or O(log N): never slow
	NoAuth                       // allowed before AUTH
	AllowBusy                    // allowed while a script is busy
	NoMulti                      // not allowed in MULTI
	Sensitive                    // (internal) its arguments are secrets: never logged
)

// flagNames lists the flags in Redis's order, with COMMAND INFO's names.
var flagNames = []struct {
	f    Flag
	name string
}{
	{Write, "write"}, {ReadOnly, "readonly"}, {DenyOOM, "denyoom"}, {Admin, "admin"},
	{PubSub, "pubsub"}, {NoScript, "noscript"}, {Blocking, "blocking"},
	{Loading, "loading"}, {Stale, "stale"}, {SkipMonitor, "skip_monitor"},
	{Fast, "fast"}, {NoAuth, "no_auth"}, {AllowBusy, "allow_busy"}, {NoMulti, "no_multi"},
}

// Names returns the flags' names, in COMMAND INFO's order.
func (f Flag) Names() []string {
	var names []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// commandFiles are the per-file slices of commands (cmd_*.go), one line per
// file: a new group adds its slice here and nothing else.
var commandFiles = [][]Command{
	connCommands,
	helloCommands,
	txCommands,
	commandCommands,
	configCommands,
	objectCommands,
	infoCommands,
	clientCommands,
	serverCommands,
	genericCommands,
	expireCommands,
	sortCommands,
	stringCommands,
	incrCommands,
	lcsCommands,
	bitmapCommands,
	bitfieldCommands,
	listCommands,
	listMoveCommands,
	setCommands,
	zsetCommands,
	zsetRangeCommands,
	zsetPopCommands,
	zsetOpsCommands,
	pubsubCommands,
	hashCommands,
}

// table is every top-level command, sorted by name; flat is every command,
// subcommands included, by index: what a batch names a command by; byName
// finds a top-level command by its name in lower or upper case. Built by init, as
// COMMAND's handlers read them.
var (
	table  []*Command
	flat   []*Command
	byName map[string]*Command // by name, lower and upper case
)

func init() { table, flat, byName = buildTable() }

// buildTable concatenates the files' slices, sorted by name, and fills
// lookup's name table; a name twice is a bug.
func buildTable() ([]*Command, []*Command, map[string]*Command) {
	var all []*Command
	for _, f := range commandFiles {
		for i := range f {
			all = append(all, &f[i])
		}
	}
	slices.SortFunc(all, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	var flat []*Command
	names := make(map[string]*Command, len(all))
	for _, c := range all {
		if names[c.Name] != nil {
			panic("resp: command " + c.Name + " is in the table twice")
		}
		names[c.Name] = c
		// Its upper-case name too, as redis-benchmark and redis-cli's
		// users send it: found at the first look (lookup), with no
		// miss and lower-casing first.
		names[strings.ToUpper(c.Name)] = c
		c.fullName, c.index = c.Name, len(flat)
		flat = append(flat, c)
		for i := range c.Subs {
			sub := &c.Subs[i]
			sub.fullName, sub.index, sub.parent = c.Name+"|"+sub.Name, len(flat), c
			flat = append(flat, sub)
		}
	}
	buildNames(all) // lookup's table (table_names.go), made again with the rest
	return all, flat, names
}

// lookupSub returns c's subcommand called name (any case), or nil.
func (c *Command) lookupSub(name []byte) *Command {
	var tmp [32]byte
	if len(name) > len(tmp) {
		return nil
	}
	low := string(lower(tmp[:0], name))
	for i := range c.Subs {
		if c.Subs[i].Name == low {
			return &c.Subs[i]
		}
	}
	return nil
}

// lower appends b in ASCII lower case to dst.
func lower(dst, b []byte) []byte {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// arityOK says whether n words (the name included) fit the command's arity.
func (c *Command) arityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
}

// keysOf returns the indexes of the key words among args.
func (c *Command) keysOf(args [][]byte) []int {
	if c.Keys != nil {
		return c.Keys(args)
	}
	return c.keys(len(args))
}

// keys returns the indexes of the key words among args, by the table's
// first/last/step.
func (c *Command) keys(nargs int) []int {
	if c.FirstKey == 0 {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last += nargs
	}
	step := max(c.Step, 1)
	var idx []int
	for i := c.FirstKey; i <= last && i < nargs; i += step {
		idx = append(idx, i)
	}
	return idx
}
