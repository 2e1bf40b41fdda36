package resp

import (
	"testing"
	"unsafe"
)

// TestSessionSizeClass ensures a session, which every resp connection holds
// for its whole life, stays in the runtime's 416-byte size class: one byte
// past it puts every connection in the 448-byte class, 32 bytes more each
// (the parser is inside it, so its fields count too). A field that must be
// added needs another taken out or packed into padding, or this bound
// raised with BenchmarkIdleMemory's behavior=resp numbers beside it.
func TestSessionSizeClass(t *testing.T) {
	if size := unsafe.Sizeof(session{}); size > 416 {
		t.Errorf("a session is %d bytes; want at most 416 (the runtime's size class)", size)
	}
}
