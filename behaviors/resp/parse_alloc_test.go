package resp

import (
	"strings"
	"testing"
)

// TestParserAllocations ensures a pipelined read costs the parser a fixed
// number of allocations, not some per command: the copy of the input and
// one array of argument slots (redis-benchmark -P 16 sends reads of 16
// commands; the parser made two allocations per command before).
func TestParserAllocations(t *testing.T) {
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
	})
	if allocs > 2 {
		t.Errorf("%v allocations for a read of 16 commands; want at most 2", allocs)
	}
}
