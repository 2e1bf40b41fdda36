package resp

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
)

// configCommands is CONFIG: the settings the resp behavior has (params).
var configCommands = []Command{
	{Name: "config", Arity: -2, Group: "server", Where: OnConn, Summary: "A container for server configuration commands.",
		Subs: []Command{
			// GET and SET run in the key space, in their place among the
			// connection's key-space commands: a pipelined SET after CONFIG
			// SET maxmemory is checked against the new limit, one before it
			// against the old, as in Redis.
			{Name: "get", Arity: -3, Flags: Admin | NoScript | Loading | Stale, Group: "server",
				Run: cmdConfigGet, Summary: "Returns the effective values of configuration parameters."},
			{Name: "set", Arity: -4, Flags: Admin | NoScript | Loading | Stale, Group: "server",
				Run: cmdConfigSet, Summary: "Sets configuration parameters in-flight."},
			{Name: "resetstat", Arity: 2, Flags: Admin | NoScript | Loading | Stale, Group: "server",
				Run: cmdConfigResetStat, Summary: "Resets the server's statistics."},
			{Name: "rewrite", Arity: 2, Flags: Admin | NoScript | Loading | Stale, Group: "server", Where: OnConn,
				Run:     func(c *Call) { c.W.Error("ERR The server is running without a config file") },
				Summary: "Persists the effective configuration to file."},
			{Name: "help", Arity: 2, Flags: Loading | Stale, Group: "server", Where: OnConn, Run: cmdConfigHelp,
				Summary: "Returns helpful text about the different subcommands."},
		}},
}

// param is one setting CONFIG knows: how to read it, and how to check and
// set a value (nil set: it cannot be changed; check returns the error's
// tail, or "").
type param struct {
	name  string
	get   func(*config) string
	check func(v string) string
	set   func(*config, string)
}

var params = []param{
	// maxmemory is Redis's unsigned long long: past 2**63-1 it is kept as
	// the negative int64 of the same bits, which every check takes for no
	// limit (none could be reached) and INFO prints as Redis does (%lld).
	{name: "maxmemory", get: func(c *config) string { return strconv.FormatUint(uint64(c.maxMemory.Load()), 10) },
		check: func(v string) string {
			if _, ok := memtoull(v); !ok {
				return "argument must be a memory value"
			}
			return ""
		},
		set: func(c *config, v string) { n, _ := memtoull(v); c.maxMemory.Store(int64(n)) }},
	{name: "maxmemory-policy", get: func(c *config) string { return policies[c.policy.Load()] },
		check: func(v string) string {
			if policyIndex(v) < 0 {
				return "argument(s) must be one of the following: " + strings.Join(policies, ", ")
			}
			return ""
		},
		set: func(c *config, v string) { c.policy.Store(int32(policyIndex(v))) }},
	{name: "maxmemory-samples", get: func(c *config) string { return strconv.Itoa(int(c.samples.Load())) },
		check: func(v string) string {
			if n, ok := parseInt([]byte(v)); !ok {
				return "argument couldn't be parsed into an integer"
			} else if n < 1 || n > 1<<31-1 {
				return "argument must be between 1 and 2147483647 inclusive"
			}
			return ""
		},
		set: func(c *config, v string) { n, _ := parseInt([]byte(v)); c.samples.Store(int32(n)) }},
	{name: "proto-max-bulk-len", get: func(c *config) string { return strconv.FormatInt(c.maxBulkLen.Load(), 10) },
		check: func(v string) string {
			if n, ok := memtoull(v); !ok {
				return "argument must be a memory value"
			} else if int64(n) < 1<<20 { // Redis's check of a long long config: signed
				return "argument must be between 1048576 and 9223372036854775807 inclusive"
			}
			return ""
		},
		set: func(c *config, v string) { n, _ := memtoull(v); c.maxBulkLen.Store(int64(n)) }},
	{name: "requirepass", get: func(c *config) string { return *c.requirePass.Load() },
		check: func(string) string { return "" },
		set:   func(c *config, v string) { c.requirePass.Store(&v) }},
	{name: "databases", get: func(*config) string { return strconv.Itoa(numDBs) }},
	{name: "save", get: func(*config) string { return "" }},
	{name: "appendonly", get: func(*config) string { return "no" }},
}

// ParseMemory parses a memory value as Redis's memtoull does, but refuses
// what memtoull takes by accident (no digits, a value past 2**63-1, a unit
// that overflows it): digits and an optional unit (b, k, kb, m, mb, g, gb,
// any case; k is 1000, kb 1024), no sign. The -maxmemory and
// -proto-max-bulk-len flags take it; CONFIG SET takes memtoull's.
func ParseMemory(v string) (int64, bool) {
	u := memDigits(v)
	mul, ok := memUnit(v[u:])
	if !ok || u == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:u], 10, 64)
	if err != nil || n > math.MaxInt64/int64(mul) {
		return 0, false
	}
	return n * int64(mul), true
}

// memtoull is Redis 7.0's memtoull, which CONFIG SET reads a memory value
// with, quirks and all: digits (none is 0) and an optional unit (b, k, kb,
// m, mb, g, gb, any case; k is 1000, kb 1024), no sign, fewer than 128
// digits; past 2**64-1 the digits are 2**64-1 (strtoull's ERANGE is not
// checked), and the product with the unit wraps around (17179869184gb is
// 0). ParseMemory, stricter, reads the command line's flags.
func memtoull(v string) (uint64, bool) {
	u := memDigits(v)
	mul, ok := memUnit(v[u:])
	if !ok || u >= 128 {
		return 0, false
	}
	n, err := strconv.ParseUint(v[:u], 10, 64)
	if err != nil && u > 0 { // out of range: strtoull's ULLONG_MAX
		n = math.MaxUint64
	}
	return n * mul, true
}

// memDigits is the length of the digits v starts with.
func memDigits(v string) int {
	u := 0
	for u < len(v) && '0' <= v[u] && v[u] <= '9' {
		u++
	}
	return u
}

// memUnit is the multiplier of a memory value's unit, any case, none 1.
func memUnit(unit string) (uint64, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "k":
		return 1000, true
	case "kb":
		return 1 << 10, true
	case "m":
		return 1000 * 1000, true
	case "mb":
		return 1 << 20, true
	case "g":
		return 1000 * 1000 * 1000, true
	case "gb":
		return 1 << 30, true
	}
	return 0, false
}

// cmdConfigGet is CONFIG GET pattern [pattern ...]: a map of the matching
// settings (each once), in the order params lists them. A setting is named
// as the first argument that matched it names it, as Redis's matches dict
// keeps it: a pattern gives the setting's own name, a name without '*', '?'
// or '[' the name as typed (CONFIG GET MAXMEMORY answers MAXMEMORY).
func cmdConfigGet(c *Call) {
	cfg := c.Srv.cfg
	names := make([]string, len(params)) // "": not matched
	for _, pat := range c.Args[2:] {
		exact := !bytes.ContainsAny(pat, "[*?")
		for i := range params {
			if names[i] != "" {
				continue
			}
			switch {
			case exact && strings.EqualFold(string(pat), params[i].name):
				names[i] = string(pat)
			case !exact && globMatch(pat, []byte(params[i].name), true):
				names[i] = params[i].name
			}
		}
	}
	n := 0
	for _, name := range names {
		if name != "" {
			n++
		}
	}
	c.W.Map(n)
	for i, name := range names {
		if name != "" {
			c.W.BulkString(name)
			c.W.BulkString(params[i].get(cfg))
		}
	}
}

// cmdConfigSet is CONFIG SET name value [name value ...]: all or nothing.
func cmdConfigSet(c *Call) {
	sets, errText := checkConfigSet(c.Args)
	if errText != "" {
		c.W.Error(errText)
		return
	}
	for _, ps := range sets {
		ps.p.set(c.Srv.cfg, ps.value)
	}
	c.W.OK()
}

// paramSet is one setting a CONFIG SET changes, and its new value.
type paramSet struct {
	p     *param
	value string
}

// checkConfigSet checks CONFIG SET's arguments (args[0] is CONFIG) and
// returns the settings it would change, or its error reply. It depends on
// the arguments alone, so the connection can tell what a CONFIG SET it
// sends will do before the key space runs it (bulkLenAfter).
func checkConfigSet(args [][]byte) ([]paramSet, string) {
	if len(args)%2 != 0 {
		return nil, ErrSyntax
	}
	var sets []paramSet
	for i := 2; i < len(args); i += 2 {
		name, value := strings.ToLower(string(args[i])), string(args[i+1])
		p := findParam(name)
		fail := func(why string) ([]paramSet, string) {
			return nil, "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why
		}
		switch {
		case p == nil:
			return nil, "ERR Unknown option or number of arguments for CONFIG SET - '" + cString(args[i], 128) + "'"
		case slices.ContainsFunc(sets, func(ps paramSet) bool { return ps.p == p }):
			return fail("duplicate parameter")
		case p.set == nil:
			return fail("can't set immutable config")
		}
		if why := p.check(value); why != "" {
			return fail(why)
		}
		sets = append(sets, paramSet{p, value})
	}
	return sets, ""
}

// bulkLenAfter is the proto-max-bulk-len that the CONFIG SET args sets, if
// it sets one. Redis parses a command only once the one before it has run,
// so the commands a client sends after such a CONFIG SET, in the same read
// or not, are read with the new limit (session.bulkHeld).
func bulkLenAfter(args [][]byte) (int64, bool) {
	sets, errText := checkConfigSet(args)
	if errText != "" {
		return 0, false
	}
	for _, ps := range sets {
		if ps.p.name == "proto-max-bulk-len" {
			n, _ := memtoull(ps.value)
			return int64(n), true
		}
	}
	return 0, false
}

func findParam(name string) *param {
	for i := range params {
		if params[i].name == name {
			return &params[i]
		}
	}
	return nil
}

// cmdConfigResetStat runs in the key space, whose counters it resets with
// the server's.
func cmdConfigResetStat(c *Call) {
	c.Srv.resetStats()
	c.Store.stats = Stats{}
	c.Srv.shardMem.evicted.Store(0) // the node's shards' evictions (INFO stats)
	c.W.OK()
}

func cmdConfigHelp(c *Call) {
	lines := []string{
		"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
		"RESETSTAT", "    Reset statistics reported by the INFO command.",
		"REWRITE", "    Rewrite the configuration file.",
		"HELP", "    Prints this help.",
	}
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Simple(l)
	}
}
