package resp

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func hashFields(h *Hash) []string {
	var out []string
	h.Each(func(f string, v []byte) { out = append(out, f+"="+string(v)) })
	return out
}

// TestHashOrderAndCompaction checks that fields keep the order they were first
// set in across updates, deletes and the compactions deletes cause.
func TestHashOrderAndCompaction(t *testing.T) {
	h := newHash()
	var want []string
	for i := 0; i < 40; i++ {
		h.Set([]byte(fmt.Sprint("f", i)), []byte("v"))
		want = append(want, fmt.Sprint("f", i, "=v"))
	}
	if !h.Set([]byte("new"), []byte("1")) || h.Set([]byte("f3"), []byte("x")) {
		t.Fatal("Set reported a new field as old or an old one as new")
	}
	want = append(want, "new=1")
	want[3] = "f3=x"
	for i := 0; i < 40; i += 2 { // 20 holes: more than 8 but not more than the 21 live
		if !h.Delete([]byte(fmt.Sprint("f", i))) {
			t.Fatalf("Delete(f%d) = false", i)
		}
	}
	if h.Delete([]byte("f0")) {
		t.Fatal("Delete of a deleted field = true")
	}
	var kept []string
	for i, w := range want {
		if i >= 40 || i%2 == 1 {
			kept = append(kept, w)
		}
	}
	if got := hashFields(h); !slices.Equal(got, kept) {
		t.Fatalf("fields %q; want %q", got, kept)
	}
	h.Delete([]byte("f1")) // 21 holes > 20 live: compacts
	if h.holes != 0 || len(h.entries) != h.Len() {
		t.Fatalf("after compaction: %d holes, %d entries for %d fields", h.holes, len(h.entries), h.Len())
	}
	for f, i := range h.index {
		if h.entries[i].field != f {
			t.Fatalf("index[%q] = %d, which holds %q", f, i, h.entries[i].field)
		}
	}
	if got := hashFields(h); !slices.Equal(got, kept[1:]) {
		t.Fatalf("after compaction fields %q; want %q", got, kept[1:])
	}
}

// TestHashEncoding checks the listpack -> hashtable conversion rules of Redis
// 7.0's defaults, and that shrinking does not convert back.
func TestHashEncoding(t *testing.T) {
	long := []byte(strings.Repeat("x", hashMaxListpackValue+1))
	cases := []struct {
		name string
		do   func(h *Hash)
		want string
	}{
		{"short", func(h *Hash) { h.Set([]byte("a"), []byte("1")) }, "listpack"},
		{"64-byte value", func(h *Hash) { h.Set([]byte("a"), long[1:]) }, "listpack"},
		{"65-byte value", func(h *Hash) { h.Set([]byte("a"), long) }, "hashtable"},
		{"65-byte field", func(h *Hash) { h.Set(long, []byte("1")) }, "hashtable"},
		{"deleted again", func(h *Hash) { h.Set(long, []byte("1")); h.Delete(long) }, "hashtable"},
		{"512 fields", func(h *Hash) { fill(h, 512) }, "listpack"},
		{"513 fields", func(h *Hash) { fill(h, 513) }, "hashtable"},
	}
	for _, c := range cases {
		h := newHash()
		c.do(h)
		if got := h.Encoding(); got != c.want {
			t.Errorf("%s: Encoding() = %q; want %q", c.name, got, c.want)
		}
	}
}

func fill(h *Hash, n int) {
	for i := 0; i < n; i++ {
		h.Set([]byte(fmt.Sprint(i)), []byte("v"))
	}
}

// TestHashScanOnce checks the scan guarantee on a hashtable: a field present
// for the whole scan is returned exactly once, while other fields are added
// and deleted (compactions included) between the calls.
func TestHashScanOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	h := newHash()
	fill(h, 1000) // fields "0".."999" stay for the whole scan
	seen := map[string]int{}
	cursor, extra := uint64(0), 0
	for calls := 0; ; calls++ {
		if calls > 1000 {
			t.Fatal("scan did not end")
		}
		got, next := h.Scan(cursor, 10)
		for _, e := range got {
			seen[e.field]++
		}
		for j := 0; j < 30; j++ { // churn: add and drop fields that are not the stable ones
			f := []byte(fmt.Sprint("x", extra))
			extra++
			h.Set(f, []byte("v"))
			if rng.IntN(10) > 0 { // most go again; the rest grow the hash slower than the scan moves
				h.Delete(f)
			}
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	for i := 0; i < 1000; i++ {
		if n := seen[fmt.Sprint(i)]; n != 1 {
			t.Fatalf("field %d returned %d times; want 1", i, n)
		}
	}
}

// TestHashScanListpack checks that a listpack hash is scanned whole in one
// call with cursor 0, whatever cursor and count are asked for.
func TestHashScanListpack(t *testing.T) {
	h := newHash()
	fill(h, 20)
	got, next := h.Scan(12345, 1)
	if len(got) != 20 || next != 0 {
		t.Fatalf("Scan = %d fields, cursor %d; want 20, 0", len(got), next)
	}
}

// TestHashRandomSkipsHoles checks that Random returns only live fields and
// each of them.
func TestHashRandomSkipsHoles(t *testing.T) {
	h := newHash()
	fill(h, 30)
	for i := 0; i < 30; i += 3 {
		h.Delete([]byte(fmt.Sprint(i)))
	}
	seen := map[string]bool{}
	for i := 0; i < 5000; i++ {
		e := h.Random()
		if e.dead {
			t.Fatal("Random returned a hole")
		}
		seen[e.field] = true
	}
	if len(seen) != 20 {
		t.Fatalf("Random returned %d distinct fields in 5000 draws; want 20", len(seen))
	}
}
