package resp

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Call is one command being run: its words and where its reply goes, and,
// by where the command runs (Command.Where), the state it runs against. A
// handler reads Args, writes exactly one reply to W, and returns.
type Call struct {
	Args [][]byte // the command's words; Args[0] is its name as sent
	W    *Writer  // the reply goes here; W.Proto is the connection's protocol (2 or 3)

	// Key-space commands (OnKeySpace): the connection's selected database,
	// and the whole store (SWAPDB, FLUSHALL, MOVE).
	DB    *DB
	Store *Store
	// InMulti is set while EXEC runs the command: a blocking command must not
	// block then (Redis answers as at its timeout).
	InMulti bool
	// Woken is set when a parked command runs again: the key whose change
	// woke it. Redis 7.0 serves a blocked client from that key alone, and
	// leaves it blocked if the key holds no value of its type.
	Woken []byte

	Client *actor.PID    // the connection that sent the command (key space and broker)
	Sess   *session      // connection commands (OnConn)
	Broker *Broker       // broker commands (OnBroker)
	Ctx    actor.Context // the running service's context (key space and broker)
	Srv    *server       // what every connection shares: settings, clients, counters

	cmd   *Command
	block *blockSpec // set by Block
}

// Redis's most common error replies, word for word.
const (
	ErrWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax    = "ERR syntax error"
	ErrNotInt    = "ERR value is not an integer or out of range"
	ErrNotFloat  = "ERR value is not a valid float"
	ErrOverflow  = "ERR increment or decrement would overflow"
	ErrNoSuchKey = "ERR no such key"
	ErrDBIndex   = "ERR DB index is out of range"
	ErrNotPosInt = "ERR value is out of range, must be positive"
)

// Name is the command's name as the table has it (lower case; "config|get"
// for a subcommand).
func (c *Call) Name() string { return c.cmd.fullName }

// Now is the time the command runs at (one reading per batch), in Unix ms.
func (c *Call) Now() int64 { return c.Store.now }

// ArityError writes Redis's wrong-number-of-arguments error for the command
// (for a handler whose argument count rules go past the table's arity).
func (c *Call) ArityError() { c.W.Error(arityError(c.cmd.fullName)) }

func arityError(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// Lookup returns the value of key in the selected database if it is a T: a
// missing key gives T's zero value (a nil pointer) and true; a key of
// another type writes the WRONGTYPE error and gives false, and the handler
// returns.
//
//	l, ok := Lookup[*List](c, c.Args[1])
//	if !ok {
//		return
//	}
func Lookup[T Value](c *Call, key []byte) (T, bool) {
	var zero T
	v := c.DB.Get(key)
	if v == nil {
		c.Store.stats.KeyMisses++
		return zero, true
	}
	t, ok := v.(T)
	if !ok {
		c.W.Error(ErrWrongType)
		return zero, false
	}
	c.Store.stats.KeyHits++
	return t, true
}

// Int parses argument i as a 64-bit integer (Redis's string2ll rules),
// writing "ERR value is not an integer or out of range" if it is not one.
func (c *Call) Int(i int) (int64, bool) {
	n, ok := parseInt(c.Args[i])
	if !ok {
		c.W.Error(ErrNotInt)
	}
	return n, ok
}

// Int32 parses argument i as Redis's getIntFromObjectOrReply does (a
// database index, say), writing its error if it is not an int: msg if given,
// else Redis's "not an integer" or, past an int's range, its "out of range".
func (c *Call) Int32(i int, msg string) (int, bool) {
	n, ok := parseInt(c.Args[i])
	switch {
	case ok && n >= math.MinInt32 && n <= math.MaxInt32:
		return int(n), true
	case msg != "":
		c.W.Error(msg)
	case !ok:
		c.W.Error(ErrNotInt)
	default:
		c.W.Error("ERR value is out of range, value must between -2147483648 and 2147483647")
	}
	return 0, false
}

// count parses argument i as a count of elements to pop (LPOP's, RPOP's,
// ZPOPMIN's, ZPOPMAX's, SPOP's): an integer, 0 or more, writing Redis's
// "value is out of range, must be positive" if it is not one.
func (c *Call) count(i int) (int64, bool) {
	n, ok := parseInt(c.Args[i])
	if !ok || n < 0 {
		c.W.Error(ErrNotPosInt)
		return 0, false
	}
	return n, true
}

// dbIndex parses argument i as a database's index (SELECT, MOVE, COPY's
// DB), writing Redis's errors: Int32's, then "DB index is out of range".
func (c *Call) dbIndex(i int) (int, bool) {
	n, ok := c.Int32(i, "")
	if ok && (n < 0 || n >= numDBs) {
		c.W.Error(ErrDBIndex)
		return 0, false
	}
	return n, ok
}

// Float parses argument i as Redis's strtold does for a score or increment,
// writing "ERR value is not a valid float" if it is not one (NaN included).
func (c *Call) Float(i int) (float64, bool) {
	f, ok := parseFloat(c.Args[i])
	if !ok {
		c.W.Error(ErrNotFloat)
	}
	return f, ok
}

// parseFloat accepts what Redis's string2d/strtold accept: a decimal or
// exponent form, "inf", "+inf", "-inf" (any case), no spaces, not NaN.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isSpace(b[0]) || isSpace(b[len(b)-1]) {
		return 0, false
	}
	s := strings.ToLower(string(b))
	switch s {
	case "inf", "+inf", "infinity", "+infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true // strtold saturates to ±HUGE_VAL; callers check overflow
		}
		return 0, false
	}
	return f, true
}

// Timeout parses a blocking command's timeout argument i (seconds, a
// float), writing Redis's error if it is not one or negative. 0 is forever.
func (c *Call) Timeout(i int) (time.Duration, bool) {
	f, err := strconv.ParseFloat(string(c.Args[i]), 64)
	if err != nil || f != f || f > float64(1<<53)/1000 || f < -float64(1<<53)/1000 {
		c.W.Error("ERR timeout is not a float or out of range")
		return 0, false
	}
	if f < 0 {
		c.W.Error("ERR timeout is negative")
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// Block parks the command (see block.go): the handler has written nothing;
// the key space runs it again once one of keys (in the selected database)
// changes, and if it has still not replied by timeout (0: never), onTimeout
// writes its reply (BLPOP's null array, BLMOVE's null). Its connection's
// later commands wait behind it. Under MULTI (c.InMulti) it does not park:
// onTimeout answers at once, as Redis does.
func (c *Call) Block(keys [][]byte, timeout time.Duration, onTimeout func(w *Writer)) {
	if c.InMulti {
		onTimeout(c.W)
		return
	}
	c.block = &blockSpec{keys: keys, timeout: timeout, onTimeout: onTimeout}
}

// argIs says whether arg is the option word (lower case), in any ASCII case,
// as Redis's strcasecmp compares.
func argIs(arg []byte, word string) bool {
	if len(arg) != len(word) {
		return false
	}
	for i := range len(arg) {
		if toLowerASCII(arg[i]) != word[i] {
			return false
		}
	}
	return true
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
