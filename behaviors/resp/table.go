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
	Group                   string // COMMAND DOCS's group: "string", "list", "generic", ...
	Summary                 string // COMMAND DOCS's summary
	Where                   Where  // who runs it
	Run                     Handler
}

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
	serverCommands,
	genericCommands,
	stringCommands,
}

// table is every command, by index: what a batch names a command by.
var table = buildTable()

// byName finds a command's index in table by its lower-case name.
var byName = func() map[string]int {
	m := make(map[string]int, len(table))
	for i, c := range table {
		m[c.Name] = i
	}
	return m
}()

// buildTable concatenates the files' slices, sorted by name; a name twice is
// a bug.
func buildTable() []Command {
	var all []Command
	for _, f := range commandFiles {
		all = append(all, f...)
	}
	slices.SortFunc(all, func(a, b Command) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(all); i++ {
		if all[i].Name == all[i-1].Name {
			panic("resp: command " + all[i].Name + " is in the table twice")
		}
	}
	return all
}

// lookup returns the index of the command called name (any case), or -1.
// Names are short; the lower-casing copies only when the name is not already
// lower case and short enough, and never allocates.
func lookup(name []byte) int {
	if i, ok := byName[string(name)]; ok {
		return i
	}
	var tmp [32]byte
	if len(name) > len(tmp) {
		return -1
	}
	low := tmp[:len(name)]
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	if i, ok := byName[string(low)]; ok {
		return i
	}
	return -1
}

// arityOK says whether n words (the name included) fit the command's arity.
func (c *Command) arityOK(n int) bool {
	if c.Arity >= 0 {
		return n == c.Arity
	}
	return n >= -c.Arity
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
