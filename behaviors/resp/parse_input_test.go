package resp

import (
	"bytes"
	"strings"
	"testing"
)

// TestInputLentUntilReleased ensures a read's pooled input goes back to
// the pool only when the session releases it, and only if it was lent
// whole: the arguments handed out stay intact until then; a pinned input,
// one lent before another was (its requests may still run), and one left
// with a command in progress never go back. (The package's tests poison
// what goes back: an argument read after it shows '!'.)
func TestInputLentUntilReleased(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n"
	read := func(p *parser, in string) [][][]byte {
		t.Helper()
		p.feed([]byte(in))
		var cmds [][][]byte
		for {
			args, err := p.next()
			if err != nil {
				t.Fatal(err)
			}
			if args == nil {
				break
			}
			cmds = append(cmds, args)
		}
		p.compact()
		return cmds
	}
	intact := func(what string, cmds [][][]byte, want bool) {
		t.Helper()
		for _, args := range cmds {
			if got := string(args[2]) == "value"; got != want {
				t.Errorf("%s: argument %q; intact %v, want %v", what, args[2], got, want)
			}
		}
	}
	p := parser{maxBulk: DefaultMaxBulkLen}

	cmds := read(&p, strings.Repeat(set, 2))
	if p.lent == nil || p.in != nil || p.buf != nil {
		t.Fatalf("after a read of whole commands: lent %v, in %v, buf %q; want lent only", p.lent != nil, p.in != nil, p.buf)
	}
	intact("lent, not released", cmds, true)
	p.release()
	intact("released", cmds, false) // poisoned: it went back

	p = parser{maxBulk: DefaultMaxBulkLen}
	p.feed([]byte(set))
	args, _ := p.next()
	p.pin()
	p.compact()
	if p.lent != nil {
		t.Fatal("a pinned input was lent")
	}
	p.release()
	intact("pinned", [][][]byte{args}, true)

	p = parser{maxBulk: DefaultMaxBulkLen}
	first := read(&p, set)
	second := read(&p, set) // the first's requests may still run: it is dropped, not lent
	p.release()
	intact("lent before another", first, true)
	intact("lent last", second, false)

	p = parser{maxBulk: DefaultMaxBulkLen}
	whole := read(&p, set+set[:10]) // a command in progress: copied out, the rest lent
	if p.lent == nil || p.in != nil || string(p.buf) != set[:10] {
		t.Fatalf("after a read ending in a command in progress: lent %v, in %v, buf %q", p.lent != nil, p.in != nil, p.buf)
	}
	p.release()
	intact("released with a command in progress after it", whole, false)
	rest := read(&p, set[10:])
	if len(rest) != 1 || string(rest[0][2]) != "value" || p.lent != nil {
		t.Fatalf("the command completed: %q, lent %v; want it whole, nothing lent (its array is its own)", rest, p.lent != nil)
	}
}

// TestCIndexAsStrchr ensures cIndex's loop over a line's first bytes
// answers as the two IndexByte calls it stands in for (the first c, unless
// a NUL comes before it), on lines shorter and longer than shortLine, with
// the c or the NUL at every place.
func TestCIndexAsStrchr(t *testing.T) {
	want := func(b []byte, c byte) int {
		i := bytes.IndexByte(b, c)
		if i < 0 || bytes.IndexByte(b[:i], 0) >= 0 {
			return -1
		}
		return i
	}
	for _, n := range []int{0, 1, 5, shortLine - 1, shortLine, shortLine + 1, 3 * shortLine} {
		for cr := -1; cr < n; cr++ {
			for nul := -1; nul < n; nul++ {
				b := bytes.Repeat([]byte{'x'}, n)
				if nul >= 0 {
					b[nul] = 0
				}
				if cr >= 0 {
					b[cr] = '\r'
				}
				if got, w := cIndex(b, '\r'), want(b, '\r'); got != w {
					t.Fatalf("cIndex(%q) = %d; want %d", b, got, w)
				}
			}
		}
	}
}
