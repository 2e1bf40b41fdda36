package resp

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"async_server/behaviors/protocol"
)

// TestParserAllocations ensures a pipelined read costs the parser no
// allocation once its input has gone back to the pool (the session
// releases it when every request it sent is answered): the copy of the
// input and its argument slots are the pool's. Not under -race, where
// sync.Pool drops a share of what is put back.
func TestParserAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops on purpose under -race")
	}
	read := []byte(strings.Repeat("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$3\r\nxxx\r\n", 16))
	var p parser
	p.maxBulk = DefaultMaxBulkLen
	allocs := testing.AllocsPerRun(100, func() {
		p.feed(read)
		for n := 0; ; n++ {
			args, err := p.next()
			if err != nil || (args == nil && n != 16) || (args != nil && len(args) != 3) {
				t.Fatalf("command %d: %q, %v", n, args, err)
			}
			if args == nil {
				break
			}
		}
		p.compact()
		p.release()
	})
	if allocs > 0 {
		t.Errorf("%v allocations for a read of 16 commands; want 0", allocs)
	}
}

// TestParserSlotsSized ensures the argument slots of a pipelined read are
// sized by the bytes per argument of its first command, not reserved at
// eight bytes each: sixteen SETs of redis-benchmark need 48 slots, and
// reserving 87 was 40% of what the server allocated at -P 16. Commands
// with shorter arguments than the first still parse (into a new array).
func TestParserSlotsSized(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000042\r\n$3\r\nxxx\r\n"
	var p parser
	p.maxBulk = DefaultMaxBulkLen
	p.feed([]byte(strings.Repeat(set, 16)))
	for n := 0; n < 16; n++ {
		if args, err := p.next(); err != nil || len(args) != 3 {
			t.Fatalf("command %d: %q, %v", n, args, err)
		}
	}
	if c := cap(p.slots); c < 48 || c > 56 {
		t.Errorf("slots for 16 commands of 3 arguments: capacity %d; want 48 to 56", c)
	}
	p.compact()

	long := "*2\r\n$3\r\nGET\r\n$40\r\n" + strings.Repeat("k", 40) + "\r\n"
	p.feed([]byte(long + strings.Repeat("*1\r\n$4\r\nPING\r\n", 8)))
	for n := 0; n < 9; n++ {
		args, err := p.next()
		if err != nil || len(args) != 2-min(n, 1) {
			t.Fatalf("command %d: %q, %v", n, args, err)
		}
		if n > 0 && string(args[0]) != "PING" {
			t.Fatalf("command %d: %q; want PING", n, args)
		}
	}
	if args, err := p.next(); args != nil || err != nil {
		t.Fatalf("after the last command: %q, %v", args, err)
	}
}

// TestParserBigBulkAllocations ensures a big bulk arriving in 16 KiB reads
// costs the parser about twice its length in allocations, and its buffer at
// most twice what has arrived: appended to with append's growth (1.25x for
// a large slice, a copy each time), the buffers a 64 MiB SET left behind
// added up to four times its length, garbage until the next collection.
// The value handed out is whole, in a buffer as long as the command.
func TestParserBigBulkAllocations(t *testing.T) {
	const size = 64 << 20
	p := parser{maxBulk: DefaultMaxBulkLen}
	allocated, args := feedBulk(t, &p, size, size)
	if len(args) != 3 || len(args[2]) != size || bytes.Count(args[2], []byte{'a'}) != size {
		t.Fatalf("SET of %d bytes: %d arguments, the value %d bytes long; want 3, %d bytes of 'a'", size, len(args), len(args[2]), size)
	}
	if allocated > size*5/2 {
		t.Errorf("%d bytes allocated for a %d-byte bulk (%.1fx); want at most 2.5x", allocated, size, float64(allocated)/size)
	}
}

// TestParserAnnouncedBulkCostsWhatArrived ensures a bulk announced at 512 MB
// of which 1 MiB has arrived costs what arrived, not what was announced
// (Redis preallocates a big bulk, we do not: a client that never sends it
// must cost nothing): a buffer at most twice what arrived, and at most four
// times as many bytes allocated, the worst moment of a doubling (just after
// a step), where append's growth had allocated more than five times.
func TestParserAnnouncedBulkCostsWhatArrived(t *testing.T) {
	const announced, sent = DefaultMaxBulkLen, 1 << 20
	p := parser{maxBulk: DefaultMaxBulkLen}
	allocated, args := feedBulk(t, &p, announced, sent)
	if args != nil {
		t.Fatalf("%d bytes of %d: a command (%d arguments); want none yet", sent, announced, len(args))
	}
	arrived := len(p.buf)
	if c := cap(p.buf); c > 2*arrived {
		t.Errorf("%d bytes arrived of a %d-byte bulk: a buffer of %d; want at most %d", arrived, announced, c, 2*arrived)
	}
	if want := 4*arrived + 64<<10; allocated > uint64(want) {
		t.Errorf("%d bytes arrived of a %d-byte bulk: %d bytes allocated (%.1fx); want at most %d", arrived, announced, allocated, float64(allocated)/float64(arrived), want)
	}
}

// TestHeldCountsBuffer ensures what a session reports holding for the
// memory budget (reportHeld) is the buffer of its command in progress, not
// only the bytes that arrived in it: a big bulk's buffer may be twice as
// large (parser.grow), and the budget counted half of it.
func TestHeldCountsBuffer(t *testing.T) {
	c := &holdConn{}
	s := &session{conn: c, p: parser{maxBulk: DefaultMaxBulkLen}}
	feedBulk(t, &s.p, DefaultMaxBulkLen, 1<<20)
	s.reportHeld()
	if c.held != cap(s.p.buf) {
		t.Errorf("held %d with %d bytes arrived in a buffer of %d; want %d", c.held, len(s.p.buf), cap(s.p.buf), cap(s.p.buf))
	}
}

// holdConn is a connection that only takes Hold's reports.
type holdConn struct {
	protocol.Conn
	held int
}

func (c *holdConn) Hold(n int) { c.held = n }

// feedBulk feeds p a SET whose value is announced bytes long, in 16 KiB
// reads, until sent bytes of the value have arrived (its CRLF too if that
// is all of it), as a session does (feed, next, compact). It returns the
// bytes the heap allocated meanwhile and the command, if it was complete.
// After each read, p's buffer is at most twice the bytes it holds.
func feedBulk(t testing.TB, p *parser, announced, sent int) (allocated uint64, args [][]byte) {
	t.Helper()
	const read = 16 << 10
	header := fmt.Sprintf("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", announced)
	value := bytes.Repeat([]byte{'a'}, read)
	tail := append(bytes.Repeat([]byte{'a'}, read), "\r\n"...)
	first := append([]byte(header), value[len(header):]...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for left := len(header) + sent; left > 0; {
		data := value[:min(left, read)]
		switch {
		case left == len(header)+sent:
			data = first[:min(left, read)]
		case left <= read && sent == announced:
			data = tail[:left+2]
		}
		left -= min(left, read)
		p.feed(data)
		if len(p.buf) > 64<<10 && cap(p.buf) > 2*len(p.buf) {
			t.Fatalf("a buffer of %d bytes for %d that arrived; want at most twice as many", cap(p.buf), len(p.buf))
		}
		for {
			cmd, err := p.next()
			if err != nil {
				t.Fatalf("next: %v", err)
			}
			if cmd == nil {
				break
			}
			args = cmd
		}
		p.compact()
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, args
}
