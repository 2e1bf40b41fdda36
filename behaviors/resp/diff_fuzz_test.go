package resp_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/testkit"
)

// FuzzDifferential is the differential test with programs the fuzzer
// writes: its input decodes (decodeProgram) into a few commands of the
// vocabulary below, with arguments drawn from small pools of edge values,
// which go to redis-server and to the resp behavior, each on a connection
// kept across inputs, after FLUSHALL (every other command typed inline when
// its words allow); the replies must match byte for byte.
// The vocabulary leaves out what differs by design (divergences: hash
// order, randomness, OBJECT, INFO, CLIENT, the clock) and what would not
// end (blocking commands, pub/sub's subscribed mode, CLIENT REPLY), so a
// difference it finds is a defect of ours. (Blocking commands with a short
// timeout would end, but redis-server answers a timed-out one only at its
// next cron tick, 70-100 ms for BLPOP k 0.01: the fuzzer made a tenth of
// the programs a second. diffCases has them.) RESET ends each program: it
// ends a MULTI the program left open, and the next input starts afresh.
//
//	go test -run '^$' -fuzz FuzzDifferential -fuzztime 1m ./behaviors/resp/
func FuzzDifferential(f *testing.F) {
	redisAddr := startRedisServer(f)
	srv := testkit.Start(f, "resp")
	ref, ours := &keptConn{addr: redisAddr}, &keptConn{addr: srv.Addr}
	f.Cleanup(func() { ref.close(); ours.close() })
	for _, seed := range [][]byte{
		{0, 0, 0, 1, 0, 5, 2, 0, 3},
		{40, 1, 2, 3, 4, 41, 1, 2, 42, 0, 1, 7},
		{60, 0, 9, 3, 1, 61, 0, 2, 5, 4, 62, 0, 3},
		{90, 2, 4, 1, 0, 91, 2, 6, 93, 2, 0, 1},
		{120, 0, 1, 2, 121, 0, 122, 1, 3},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, program []byte) {
		cmds := decodeProgram(program)
		if len(cmds) == 0 {
			return
		}
		var in bytes.Buffer
		for i, c := range cmds {
			if i%2 == 1 && plainWords(c) { // as typed: the inline parser
				in.WriteString(strings.Join(c, " ") + "\r\n")
			} else {
				writeCommand(&in, c)
			}
		}
		writeCommand(&in, []string{"RESET"})
		want, got := ref.exchange(t, in.Bytes()), ours.exchange(t, in.Bytes())
		if !bytes.Equal(want, got) {
			t.Errorf("commands:\n%s\nredis-server: %q\nasync_server: %q", showCommands(cmds), want, got)
		}
	})
}

// vocabulary is what programs are made of: a command's words, where %k is
// a key, %v a value, %i an integer, %s a score, %r a score range's bound,
// %l a lex range's bound, %m a member or field, %d a database and %t a
// time to live (PUBLISH is left out: refused inside MULTI, a divergence); a
// trailing * repeats its word one to three times.
var vocabulary = [][]string{
	// strings
	{"SET", "%k", "%v"}, {"SET", "%k", "%v", "NX"}, {"SET", "%k", "%v", "XX", "GET"},
	{"SET", "%k", "%v", "EX", "%t"}, {"SET", "%k", "%v", "KEEPTTL"}, {"SET", "%k", "%v", "GET"},
	{"SET", "%k", "%v", "PX", "%t", "NX"}, {"SET", "%k", "%v", "EX", "%t", "KEEPTTL"},
	{"GET", "%k"}, {"GETDEL", "%k"}, {"GETSET", "%k", "%v"}, {"GETEX", "%k", "PERSIST"},
	{"GETEX", "%k", "EX", "%t"}, {"GETEX", "%k", "EXAT", "%t"}, {"SETEX", "%k", "%t", "%v"}, {"PSETEX", "%k", "%t", "%v"},
	{"SUBSTR", "%k", "%i", "%i"}, {"BITFIELD_RO", "%k", "GET", "i8", "%i"}, {"SETNX", "%k", "%v"}, {"MSET", "%k", "%v", "%k", "%v"},
	{"MSETNX", "%k", "%v", "%k", "%v"}, {"MGET", "%k*"}, {"APPEND", "%k", "%v"}, {"STRLEN", "%k"},
	{"INCR", "%k"}, {"DECR", "%k"}, {"INCRBY", "%k", "%i"}, {"DECRBY", "%k", "%i"},
	{"INCRBYFLOAT", "%k", "%v"}, {"INCRBYFLOAT", "%k", "%s"}, {"GETRANGE", "%k", "%i", "%i"},
	{"SETRANGE", "%k", "%i", "%v"}, {"LCS", "%k", "%k"}, {"LCS", "%k", "%k", "LEN"},
	{"LCS", "%k", "%k", "IDX", "MINMATCHLEN", "%i", "WITHMATCHLEN"},
	{"SETBIT", "%k", "%i", "%i"}, {"GETBIT", "%k", "%i"}, {"BITCOUNT", "%k", "%i", "%i"},
	{"BITCOUNT", "%k", "%i", "%i", "BIT"}, {"BITPOS", "%k", "%i", "%i"}, {"BITPOS", "%k", "%i", "%i", "%i", "BYTE"},
	{"BITOP", "AND", "%k", "%k*"}, {"BITOP", "XOR", "%k", "%k*"}, {"BITOP", "NOT", "%k", "%k"},
	{"BITFIELD", "%k", "INCRBY", "i5", "%i", "%i"}, {"BITFIELD", "%k", "GET", "u4", "%i", "SET", "i8", "%i", "%i"},
	{"BITFIELD", "%k", "OVERFLOW", "SAT", "INCRBY", "u2", "%i", "%i"},
	// generic
	{"DEL", "%k*"}, {"UNLINK", "%k*"}, {"EXISTS", "%k*"}, {"TYPE", "%k"}, {"TOUCH", "%k*"},
	{"RENAME", "%k", "%k"}, {"RENAMENX", "%k", "%k"}, {"COPY", "%k", "%k"}, {"COPY", "%k", "%k", "REPLACE"},
	{"COPY", "%k", "%k", "DB", "%d"}, {"MOVE", "%k", "%d"}, {"SELECT", "%d"}, {"SWAPDB", "%d", "%d"},
	{"EXPIRE", "%k", "%t"}, {"EXPIRE", "%k", "%t", "NX"}, {"EXPIRE", "%k", "%t", "GT"}, {"EXPIRE", "%k", "%t", "LT"},
	{"PEXPIRE", "%k", "%t", "XX"}, {"EXPIREAT", "%k", "%t"}, {"PEXPIREAT", "%k", "%t", "NX"}, {"PERSIST", "%k"}, {"TTL", "%k"}, {"DBSIZE"}, {"FLUSHDB"},
	{"SORT", "%k"}, {"SORT", "%k", "ALPHA"}, {"SORT", "%k", "DESC", "LIMIT", "%i", "%i"},
	{"SORT", "%k", "ALPHA", "STORE", "%k"}, {"SORT_RO", "%k", "ALPHA", "DESC"},
	{"SORT", "%k", "ALPHA", "GET", "#", "GET", "%k"}, {"FLUSHALL", "ASYNC"},
	// lists
	{"LPUSH", "%k", "%v*"}, {"RPUSH", "%k", "%v*"}, {"LPUSHX", "%k", "%v"}, {"RPUSHX", "%k", "%v"},
	{"LPOP", "%k"}, {"RPOP", "%k", "%i"}, {"LRANGE", "%k", "%i", "%i"}, {"LINDEX", "%k", "%i"},
	{"LSET", "%k", "%i", "%v"}, {"LINSERT", "%k", "BEFORE", "%v", "%v"}, {"LINSERT", "%k", "AFTER", "%v", "%v"},
	{"LREM", "%k", "%i", "%v"}, {"LTRIM", "%k", "%i", "%i"}, {"LLEN", "%k"}, {"LPOS", "%k", "%v"},
	{"LPOS", "%k", "%v", "RANK", "%i", "COUNT", "%i"}, {"LPOS", "%k", "%v", "MAXLEN", "%i"},
	{"LMOVE", "%k", "%k", "LEFT", "RIGHT"}, {"RPOPLPUSH", "%k", "%k"}, {"LMPOP", "%i", "%k*", "LEFT"},
	{"LMPOP", "2", "%k", "%k", "RIGHT", "COUNT", "%i"},
	// hashes
	{"HSET", "%k", "%m", "%v"}, {"HSET", "%k", "%m", "%v", "%m", "%v"}, {"HSETNX", "%k", "%m", "%v"},
	{"HGET", "%k", "%m"}, {"HMGET", "%k", "%m*"}, {"HDEL", "%k", "%m*"}, {"HLEN", "%k"}, {"HSTRLEN", "%k", "%m"},
	{"HEXISTS", "%k", "%m"}, {"HINCRBY", "%k", "%m", "%i"}, {"HINCRBYFLOAT", "%k", "%m", "%v"},
	{"HKEYS", "%k"}, {"HVALS", "%k"}, {"HGETALL", "%k"}, {"HMSET", "%k", "%m", "%v"}, {"HSCAN", "%k", "0"},
	// sets (no reply whose order is a hash table's: SMEMBERS, SUNION, SPOP, ...)
	{"SADD", "%k", "%m*"}, {"SREM", "%k", "%m*"}, {"SCARD", "%k"}, {"SISMEMBER", "%k", "%m"},
	{"SMISMEMBER", "%k", "%m*"}, {"SMOVE", "%k", "%k", "%m"}, {"SINTERCARD", "%i", "%k*"},
	{"SUNIONSTORE", "%k", "%k*"}, {"SINTERSTORE", "%k", "%k*"}, {"SDIFFSTORE", "%k", "%k*"},
	// sorted sets
	{"ZADD", "%k", "%s", "%m"}, {"ZADD", "%k", "%s", "%m", "%s", "%m"}, {"ZADD", "%k", "NX", "%s", "%m"},
	{"ZADD", "%k", "XX", "CH", "%s", "%m"}, {"ZADD", "%k", "GT", "%s", "%m"}, {"ZADD", "%k", "INCR", "%s", "%m"},
	{"ZADD", "%k", "NX", "GT", "%s", "%m"}, {"ZADD", "%k", "LT", "CH", "INCR", "%s", "%m"}, {"ZSCAN", "%k", "0"},
	{"ZREVRANGE", "%k", "%i", "%i", "WITHSCORES"}, {"ZREVRANGEBYSCORE", "%k", "%r", "%r", "LIMIT", "%i", "%i"},
	{"ZINCRBY", "%k", "%s", "%m"}, {"ZSCORE", "%k", "%m"}, {"ZMSCORE", "%k", "%m*"}, {"ZCARD", "%k"},
	{"ZRANK", "%k", "%m"}, {"ZREVRANK", "%k", "%m"}, {"ZREM", "%k", "%m*"}, {"ZCOUNT", "%k", "%r", "%r"},
	{"ZLEXCOUNT", "%k", "%l", "%l"}, {"ZRANGE", "%k", "%i", "%i"}, {"ZRANGE", "%k", "%i", "%i", "WITHSCORES"},
	{"ZRANGE", "%k", "%r", "%r", "BYSCORE", "LIMIT", "%i", "%i"}, {"ZRANGE", "%k", "%r", "%r", "BYSCORE", "REV", "WITHSCORES"},
	{"ZRANGE", "%k", "%l", "%l", "BYLEX"}, {"ZRANGE", "%k", "%l", "%l", "BYLEX", "REV", "LIMIT", "%i", "%i"},
	{"ZRANGEBYSCORE", "%k", "%r", "%r", "WITHSCORES"}, {"ZREVRANGEBYLEX", "%k", "%l", "%l"},
	{"ZRANGESTORE", "%k", "%k", "%i", "%i"}, {"ZREMRANGEBYSCORE", "%k", "%r", "%r"},
	{"ZREMRANGEBYRANK", "%k", "%i", "%i"}, {"ZREMRANGEBYLEX", "%k", "%l", "%l"}, {"ZPOPMIN", "%k"},
	{"ZPOPMAX", "%k", "%i"}, {"ZMPOP", "%i", "%k*", "MIN"}, {"ZUNIONSTORE", "%k", "2", "%k", "%k", "WEIGHTS", "%s", "%s"},
	{"ZINTERSTORE", "%k", "2", "%k", "%k", "AGGREGATE", "MAX"}, {"ZDIFFSTORE", "%k", "%i", "%k*"},
	{"ZUNION", "2", "%k", "%k", "WITHSCORES"}, {"ZINTER", "2", "%k", "%k", "AGGREGATE", "MIN", "WITHSCORES"},
	{"ZDIFF", "2", "%k", "%k"}, {"ZINTERCARD", "%i", "%k*"},
	// transactions, connection, protocols
	{"MULTI"}, {"EXEC"}, {"DISCARD"}, {"WATCH", "%k*"}, {"UNWATCH"}, {"PING"}, {"ECHO", "%v"},
	{"HELLO", "3"}, {"HELLO", "2"}, {"NOSUCHCMD", "%v"}, {"CLIENT", "SETNAME", "%v"}, {"CLIENT", "GETNAME"},
	{"QUIT"},
}

// pools are the arguments' values: edges of each kind's parsing rules.
var pools = map[byte][]string{
	'k': {"a", "b", "c", "{a}d"},
	// "\xff\x00" is the one value with a NUL: SORT ALPHA compares C strings,
	// and two members of a set equal up to a NUL would come in hash order
	'v': {"", "0", "1", "-1", "10", "3.5", "-0", "1e3", "abc", "x y", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "0x10", " 1", "1 ", "inf", "nan", "\xff\x00", "+1", "007", "1.0", "2.5e-3", "a"},
	'i': {"0", "1", "-1", "2", "3", "-2", "10", "-100", "100", "abc", "", "1.5", "9223372036854775807",
		"-9223372036854775808", "99999999999999999999", "5", "-5", "64"},
	// no score out of a double's range: the ERANGE it leaves changes what
	// redis-server's SORT says of later input (see divergences)
	's': {"0", "1", "-1", "1.5", "inf", "-inf", "+inf", "nan", "abc", "1e308", "-1e308", "2", "1e300", "0.1", "-0", "3"},
	'r': {"-inf", "+inf", "0", "1", "(1", "(0", "2", "(2", "abc", "(", "[1", "1.5", "(inf"},
	'l': {"-", "+", "[a", "(a", "[b", "(c", "a", "[", "(", "[1", "(10"},
	'm': {"a", "b", "c", "1", "2", "10", "-1", "x", ""},
	'd': {"0", "1", "2", "15", "16", "-1", "abc"},
	// times to live: long enough that no key expires while a program runs
	't': {"100000", "5000", "-1", "0", "abc", "9223372036854775807", "9223372036854775", "1.5", ""},
}

// decodeProgram turns fuzz bytes into at most 12 commands: a byte picks the
// command, one more each word's value, and a last one whether it loses its
// last word or gains one more (arity errors), one time in eight each.
func decodeProgram(b []byte) [][]string {
	var cmds [][]string
	next := func() int {
		if len(b) == 0 {
			return 0
		}
		v := int(b[0])
		b = b[1:]
		return v
	}
	for len(b) > 0 && len(cmds) < 12 {
		pick := next()
		spec := vocabulary[pick%len(vocabulary)]
		var cmd []string
		for _, word := range spec {
			repeat := 1
			if strings.HasSuffix(word, "*") {
				word, repeat = strings.TrimSuffix(word, "*"), 1+next()%3
			}
			for range repeat {
				cmd = append(cmd, fill(word, next))
			}
		}
		switch next() % 8 {
		case 6:
			cmd = cmd[:len(cmd)-1]
		case 7:
			cmd = append(cmd, fill("%v", next))
		}
		if len(cmd) > 0 {
			cmds = append(cmds, cmd)
		}
	}
	return cmds
}

// fill is word, or a value of its pool if it names one.
func fill(word string, next func() int) string {
	if len(word) != 2 || word[0] != '%' {
		return word
	}
	pool := pools[word[1]]
	return pool[next()%len(pool)]
}

// plainWords reports whether args can be typed as an inline command as
// they are: no word empty, none with a blank, a quote or a control byte.
func plainWords(args []string) bool {
	for _, a := range args {
		if a == "" || strings.ContainsFunc(a, func(r rune) bool { return r <= ' ' || r == '"' || r == '\'' || r >= 0x7f }) {
			return false
		}
	}
	return true
}

func writeCommand(w *bytes.Buffer, args []string) {
	fmt.Fprintf(w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(w, "$%d\r\n%s\r\n", len(a), a)
	}
}

func showCommands(cmds [][]string) string {
	var b strings.Builder
	for _, c := range cmds {
		for i, a := range c {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Quote(a))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// keptConn is a connection kept across a fuzz run's inputs, dialled again
// when one has closed it.
type keptConn struct {
	addr string
	c    net.Conn
}

func (k *keptConn) close() {
	if k.c != nil {
		k.c.Close()
	}
}

// exchange sends FLUSHALL, input and endMark, and returns every reply byte
// before endMark's reply (or up to the close). HELLO's id, which differs
// by design, is blanked.
func (k *keptConn) exchange(t *testing.T, input []byte) []byte {
	t.Helper()
	if k.c == nil {
		c, err := net.Dial("tcp", k.addr)
		if err != nil {
			t.Fatal(err)
		}
		k.c = c
	}
	_ = k.c.SetDeadline(time.Now().Add(10 * time.Second))
	msg := append(append([]byte("FLUSHALL\r\n"), input...), endMark...)
	if _, err := k.c.Write(msg); err != nil {
		t.Fatalf("%s: %v", k.addr, err)
	}
	var got []byte
	buf := make([]byte, 4096)
	end := []byte("$7\r\n__end__\r\n")
	for !bytes.HasSuffix(got, end) {
		n, err := k.c.Read(buf)
		got = append(got, buf[:n]...)
		if errors.Is(err, io.EOF) || isReset(err) {
			k.close()
			k.c = nil
			break
		}
		if err != nil {
			t.Fatalf("reading from %s after %q: %v", k.addr, got, err)
		}
	}
	return helloID.ReplaceAll(bytes.TrimSuffix(got, end), []byte("${1}N"))
}
