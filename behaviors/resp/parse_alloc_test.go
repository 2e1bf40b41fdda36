package resp

import (
	"strings"
	"testing"
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
