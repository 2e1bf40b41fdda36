package resp

import (
	"bytes"
	"fmt"
	"math"
)

// Redis's input limits (server.h) and the one that can be set.
const (
	// inlineMax is PROTO_INLINE_MAX_SIZE: the longest inline command, and the
	// longest header line (*N or $N) a multibulk command may have before its CR.
	inlineMax = 64 << 10
	// DefaultMaxBulkLen is proto-max-bulk-len's default: the largest bulk string.
	DefaultMaxBulkLen = 512 << 20
	// MinMaxBulkLen is the least proto-max-bulk-len Redis takes (1mb): below
	// it, a client could not even send a configuration value.
	MinMaxBulkLen = 1 << 20
	// maxArgsAtOnce is how many argument slots a multibulk header reserves at
	// once (Redis's argv_len = min(multibulklen, 1024)): a header announcing a
	// million arguments costs nothing until they arrive.
	maxArgsAtOnce = 1024
	// unauthMultibulk and unauthBulk are Redis's limits before AUTH when a
	// password is required.
	unauthMultibulk = 10
	unauthBulk      = 16384
)

// protoError is a protocol error: its text is Redis's reply, after
// "-ERR Protocol error: ". The connection is closed after it.
type protoError string

func (e protoError) Error() string { return "Protocol error: " + string(e) }

// parser splits a connection's input into commands, as Redis's
// processInputBuffer does: a command starting with '*' is a multibulk one
// (RESP), any other an inline one (a line of words, what telnet sends). It is
// resumable: a command split across reads is parsed once, header by header,
// so a huge multibulk arriving in small reads costs linear time; and it never
// allocates for a length a client announced, only for the bytes it sent.
type parser struct {
	buf  []byte // input from the start of the command in progress on
	pos  int    // how far into buf that command has been parsed
	argc int    // multibulk arguments still to come; 0: no multibulk in progress
	bulk int    // the length of the bulk being read, -1 before its header
	args []span // the arguments parsed so far of the command in progress
	// slots is where the commands of one read get their argument slices
	// (argSlots): one array for all of them, lent with the input or
	// dropped at compact.
	slots [][]byte
	// in is the pooled input buf is in (parse_input.go), or nil; lent is the
	// last one compact lent, until release.
	in, lent *input
	// mbStart is where the multibulk command in progress starts in buf.
	mbStart int

	maxBulk int64 // proto-max-bulk-len
	strict  bool  // a password is required and not yet given (Redis's authRequired)
	pinned  bool  // an argument of buf's is kept by others: in never goes back (pin)
}

// argsKept is the largest args array a parser reuses for the next command:
// a command with a thousand arguments does not leave 16 KB held for good.
const argsKept = 64

// span is an argument's place in parser.buf.
type span struct{ from, to int }

// next returns the next complete command (nil when the input holds none;
// an empty command is skipped) or a protocol error. The arguments are slices
// of the parser's buffer: valid until the parser is dropped, never changed.
func (p *parser) next() ([][]byte, error) {
	for {
		if p.pos >= len(p.buf) {
			return nil, nil
		}
		var done bool
		var inline [][]byte
		var err error
		if p.argc > 0 || p.buf[p.pos] == '*' {
			done, err = p.multibulk()
		} else {
			inline, done, err = p.inline()
		}
		if err != nil || !done {
			return nil, err
		}
		if inline != nil {
			return inline, nil
		}
		if len(p.args) == 0 {
			continue // *0, *-1: nothing to run
		}
		args := p.argSlots(len(p.args), (p.pos-p.mbStart)/len(p.args))
		for i, s := range p.args {
			args[i] = p.buf[s.from:s.to:s.to]
		}
		p.args = p.args[:0]
		return args, nil
	}
}

// argSlots returns n slots for a command's arguments, carved from an array
// shared by the commands of the read being parsed: a pipeline of sixteen
// commands costs one allocation, not sixteen (redis-benchmark -P 16). The
// array is sized for what is left of the input, at the bytes per argument
// of this command (per; at least eight: $1, CRLF, a byte, CRLF), since a
// pipeline's commands are alike: sized at eight bytes each, the slots of
// sixteen SETs took 2.2 KB where they need 1.2 (40% of what the server
// allocated at -P 16). Commands with shorter arguments than the first
// start another array. The array goes with the read's pooled input
// (parse_input.go), or compact drops it, so an idle connection keeps none,
// and a read that reuses an input reuses its slots. The slots handed out
// are capped at n: appending to them cannot reach the next command's.
func (p *parser) argSlots(n, per int) [][]byte {
	if cap(p.slots)-len(p.slots) < n {
		p.slots = make([][]byte, 0, n+min((len(p.buf)-p.pos)/max(per, 8), maxSlots))
	}
	at := len(p.slots)
	p.slots = p.slots[:at+n]
	return p.slots[at : at+n : at+n]
}

// maxSlots bounds the slots reserved ahead for the commands still in a read.
const maxSlots = 256

// compact drops the input consumed so far. The rest, the start of a command
// whose end has not arrived, is copied to a buffer of its own when anything
// was consumed (it is at most one read, since a command in progress before
// this read ended in it), and kept in place otherwise, so that a bulk arriving
// in many reads is appended to, never copied again.
func (p *parser) compact() {
	start := p.commandStart()
	if start == 0 {
		if p.in == nil {
			p.slots = nil
		}
		return
	}
	p.lend()
	if start >= len(p.buf) {
		p.buf, p.pos = nil, 0
		return
	}
	rest := make([]byte, len(p.buf)-start)
	copy(rest, p.buf[start:])
	for i := range p.args {
		p.args[i].from -= start
		p.args[i].to -= start
	}
	p.buf, p.pos, p.mbStart = rest, p.pos-start, p.mbStart-start
}

// commandStart is where the command in progress starts in buf (pos if none).
func (p *parser) commandStart() int {
	if p.argc > 0 {
		return p.mbStart
	}
	return p.pos
}

// idle says whether no command is in progress.
func (p *parser) idle() bool { return p.argc == 0 && p.pos >= len(p.buf) }

// multibulk parses as much of a multibulk command as has arrived.
func (p *parser) multibulk() (bool, error) {
	if p.argc == 0 {
		n, next, ok := p.shortHeader()
		if !ok || n == 0 { // not the usual header: the general path, with Redis's errors
			var line []byte
			var err error
			line, next, ok, err = p.line("too big mbulk count string")
			if !ok {
				return false, err
			}
			n, ok = parseInt(line[1:])
			if !ok || n > math.MaxInt32 {
				return false, protoError("invalid multibulk length")
			}
		}
		if n > unauthMultibulk && p.strict {
			return false, protoError("unauthenticated multibulk length")
		}
		p.mbStart = p.pos
		p.pos = next
		if n <= 0 {
			return true, nil
		}
		p.argc, p.bulk = int(n), -1
		if want := int(min(n, maxArgsAtOnce)); cap(p.args) < want || cap(p.args) > argsKept {
			p.args = make([]span, 0, want)
		} else {
			p.args = p.args[:0] // the last command's: spare an allocation per command
		}
	}
	for p.argc > 0 {
		if p.bulk < 0 {
			if n, next, ok := p.shortHeader(); ok && p.buf[p.pos] == '$' && n <= p.maxBulk && (n <= unauthBulk || !p.strict) {
				p.bulk, p.pos = int(n), next
			} else if err := p.bulkHeader(); err != nil || p.bulk < 0 {
				return false, err
			}
		}
		if len(p.buf)-p.pos < p.bulk+2 {
			return false, nil
		}
		// Redis takes the two bytes after the bulk as its CRLF without looking.
		p.args = append(p.args, span{p.pos, p.pos + p.bulk})
		p.pos += p.bulk + 2
		p.bulk = -1
		p.argc--
	}
	return true, nil
}

// bulkHeader parses the bulk header at pos the general way, with Redis's
// errors; p.bulk stays -1 while the header has not fully arrived.
func (p *parser) bulkHeader() error {
	line, next, ok, err := p.line("too big bulk count string")
	if !ok {
		return err
	}
	// The byte at pos, not the line's first: an empty line's is its CR.
	if c := p.buf[p.pos]; c != '$' {
		return protoError(fmt.Sprintf("expected '$', got '%c'", c))
	}
	n, ok := parseInt(line[1:])
	if !ok || n < 0 || n > p.maxBulk {
		return protoError("invalid bulk length")
	}
	if n > unauthBulk && p.strict {
		return protoError("unauthenticated bulk length")
	}
	p.bulk, p.pos = int(n), next
	return nil
}

// shortHeader reads the usual header line at pos in one pass: '*' or '$',
// one to nine digits without a leading zero, its CR and one byte more (the
// LF, unchecked as Redis does), all arrived. Every header of
// redis-benchmark's commands is one, and the general path (line, cIndex,
// parseInt: three passes) was 7% of the server's CPU at SADD -P 16. Anything
// else (a sign, a leading zero, more digits, a header not yet complete) it
// leaves to the general path, which gives Redis's answer to it.
func (p *parser) shortHeader() (n int64, next int, ok bool) {
	b := p.buf[p.pos:]
	i := 1
	for ; i < len(b) && i <= 9; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	if i == 1 || i+1 >= len(b) || b[i] != '\r' || (b[1] == '0' && i > 2) {
		return 0, 0, false
	}
	return n, p.pos + i + 2, true
}

// line returns the header line at pos, up to its CR, and where the next one
// starts (after the CR and one more byte, Redis's LF, unchecked). ok is false
// while the line has not fully arrived; err says it is already too long.
func (p *parser) line(tooBig string) (line []byte, next int, ok bool, err error) {
	rest := p.buf[p.pos:]
	cr := cIndex(rest, '\r')
	if cr < 0 {
		if len(rest) > inlineMax {
			return nil, 0, false, protoError(tooBig)
		}
		return nil, 0, false, nil
	}
	if cr > len(rest)-2 {
		return nil, 0, false, nil // the LF has not arrived
	}
	return rest[:cr], p.pos + cr + 2, true, nil
}

// cIndex is where c first is in b, as C's strchr finds it in Redis's query
// buffer: the search stops at a NUL, so a line with a NUL before its end is
// never complete (Redis waits for more input until the line is too long).
//
// A header line ($3, *16) is a few bytes: a loop over its first shortLine
// finds the CR, and sees a NUL on the way, sooner than IndexByte's two calls
// do (they were 5% of the server's CPU under redis-benchmark -P 16). Past
// them, IndexByte's.
func cIndex(b []byte, c byte) int {
	n := min(len(b), shortLine)
	for i, x := range b[:n] {
		if x == c {
			return i
		}
		if x == 0 {
			return -1
		}
	}
	i := bytes.IndexByte(b[n:], c)
	if i < 0 {
		return -1
	}
	if nul := bytes.IndexByte(b[n:n+i], 0); nul >= 0 {
		return -1
	}
	return n + i
}

// shortLine is how much of a line cIndex searches with a loop.
const shortLine = 32

// parseInt parses a length as Redis's string2ll: an optional minus, then
// digits without a leading zero (0 alone is fine), within int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
