package resp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// parseAll feeds the input in the given pieces and returns every command
// (words joined by "|"), then the protocol error, if any.
func parseAll(pieces ...string) []string {
	p := parser{maxBulk: DefaultMaxBulkLen}
	var got []string
	for _, piece := range pieces {
		p.feed([]byte(piece))
		for {
			args, err := p.next()
			if err != nil {
				return append(got, "error: "+err.Error())
			}
			if args == nil {
				break
			}
			words := make([]string, len(args))
			for i, a := range args {
				words[i] = string(a)
			}
			got = append(got, strings.Join(words, "|"))
		}
		p.compact()
	}
	return got
}

var parseCases = []struct {
	in   string
	want []string
}{
	{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET|k"}},
	{"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", []string{"PING"}},
	{"PING\r\n\r\n  \r\nset a  b\n", []string{"PING", "set|a|b"}},
	{"set \"a\\tb\\x4a\" 'c\\'d'\r\n", []string{"set|a\tbJ|c'd"}},
	{"PING\r\nget a\x00b c\r\nPING\r\n", []string{"PING"}}, // a NUL hides the line's end, as strchr's
	{"*1\x00\r\n$4\r\nPING\r\n", nil},
	{"*1\r\n$3\r\nabcXY*1\r\n$1\r\nz\r\n", []string{"abc", "z"}},
	{"*1\rx$1\r\na\r\n", []string{"a"}},
	{"*1\r\n$01\r\na\r\n", []string{"error: Protocol error: invalid bulk length"}},
	{"*2\r\n$-1\r\n", []string{"error: Protocol error: invalid bulk length"}},
	{"*3000000000\r\n", []string{"error: Protocol error: invalid multibulk length"}},
	{"*1\r\n+OK\r\n", []string{"error: Protocol error: expected '$', got '+'"}},
	{"*1\r0\r0", []string{"error: Protocol error: expected '$', got '\r'"}}, // found by FuzzParse: it panicked
	{"set \"a\"b\r\n", []string{"error: Protocol error: unbalanced quotes in request"}},
	{"set 'a\r\n", []string{"error: Protocol error: unbalanced quotes in request"}},
	// The edges of the one-pass header (shortHeader) and what the general
	// path answers beyond them.
	{"*2\r\n$10\r\n0123456789\r\n$0\r\n\r\n", []string{"0123456789|"}},
	{"*1\r\n$3\rxabc\r\n", []string{"abc"}},
	{"*1\r\n$999999999\r\n", []string{"error: Protocol error: invalid bulk length"}},  // nine digits, over proto-max-bulk-len
	{"*1\r\n$1234567890\r\n", []string{"error: Protocol error: invalid bulk length"}}, // ten
	{"*01\r\n$1\r\na\r\n", []string{"error: Protocol error: invalid multibulk length"}},
}

// TestParse ensures the parser reads what Redis reads, whole and split at
// every byte: the same commands, the same errors.
func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		if got := parseAll(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parse(%q) = %q; want %q", tc.in, got, tc.want)
		}
		for i := 1; i < len(tc.in); i++ {
			if got := parseAll(tc.in[:i], tc.in[i:]); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("parse(%q | %q) = %q; want %q", tc.in[:i], tc.in[i:], got, tc.want)
			}
		}
		pieces := strings.Split(tc.in, "")
		if got := parseAll(pieces...); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parse(%q byte by byte) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseLimits ensures the limits hold without memory for what was only
// announced: a too long header line, a too long inline line, a million
// arguments announced.
func TestParseLimits(t *testing.T) {
	long := strings.Repeat("a", inlineMax+1)
	for _, tc := range []struct{ in, want string }{
		{long, "too big inline request"},
		{"*" + long, "too big mbulk count string"},
		{"*1\r\n$" + long, "too big bulk count string"},
	} {
		got := parseAll(tc.in)
		if len(got) != 1 || got[0] != "error: Protocol error: "+tc.want {
			t.Errorf("parse(%.20q...) = %.80q; want %s", tc.in, got, tc.want)
		}
	}
	p := parser{maxBulk: DefaultMaxBulkLen}
	p.feed([]byte("*1000000\r\n$1\r\na\r\n"))
	if args, err := p.next(); args != nil || err != nil {
		t.Fatalf("next = %v, %v; want nothing yet", args, err)
	}
	if c := cap(p.args); c > maxArgsAtOnce {
		t.Fatalf("a million arguments announced reserved %d slots; want at most %d", c, maxArgsAtOnce)
	}
}

// TestSplitArgsStopsAtNUL ensures splitArgs reads a line as sdssplitargs
// reads a C string: to its first NUL. inline never passes it one (the NUL
// hides the line's end, as in Redis), but before this rule a NUL made it
// append empty words without end.
func TestSplitArgsStopsAtNUL(t *testing.T) {
	done := make(chan string, 1)
	go func() {
		args, ok := splitArgs([]byte("SET a\x00b c"))
		done <- fmt.Sprintf("%q %v", args, ok)
	}()
	select {
	case got := <-done:
		if want := `["SET" "a"] true`; got != want {
			t.Errorf("splitArgs: %s; want %s", got, want)
		}
	case <-time.After(10 * time.Second): // a hang, not a speed: the call takes microseconds
		t.Fatal("splitArgs did not return") // the goroutine spins on: the run fails anyway
	}
}
