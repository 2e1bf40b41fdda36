package actors

import (
	"testing"
	"unsafe"
)

// TestLinkSizeClass ensures a link, which every connection holds for its
// whole life, stays in the runtime's 704-byte size class: a heap object over
// 512 bytes that holds pointers carries an 8-byte header, so one byte past
// 696 makes every connection 64 bytes bigger (the 768-byte class). A field
// that must be added needs another taken out, or this bound raised with
// BenchmarkIdleStacks' numbers beside it.
func TestLinkSizeClass(t *testing.T) {
	if size := unsafe.Sizeof(link{}); size+8 > 704 {
		t.Errorf("a link is %d bytes, %d with its heap header; want at most 704 (the runtime's size class)", size, size+8)
	}
}
