//go:build linux

package netpoll

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestWriteNow checks the raw write's contract: what the socket takes at
// once, never a wait, nothing past rawWriteMax, nothing once closed, and no
// allocation.
func TestWriteNow(t *testing.T) {
	s := serveEcho(t, Options{})
	_ = s.peer.SetDeadline(time.Now().Add(10 * time.Second))
	if n := s.c.WriteNow(make([]byte, rawWriteMax+1)); n != 0 {
		t.Fatalf("WriteNow past rawWriteMax wrote %d bytes; want 0 (for NetConn)", n)
	}
	if n := s.c.WriteNow([]byte("hello")); n != 5 {
		t.Fatalf("WriteNow(hello) = %d; want 5", n)
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(s.peer, got); err != nil || string(got) != "hello" {
		t.Fatalf("the peer read %q, %v; want hello (and nothing of the refused write before it)", got, err)
	}
	x := []byte("x")
	if a := testing.AllocsPerRun(100, func() {
		s.c.WriteNow(x)
		_, _ = io.ReadFull(s.peer, got[:1])
	}); a != 0 {
		t.Errorf("WriteNow allocated %.1f times per write; want 0", a)
	}

	// The peer reads nothing: the socket fills, and WriteNow returns what it
	// took, then 0, without waiting.
	chunk := bytes.Repeat([]byte("y"), rawWriteMax)
	total, short := 0, false
	for i := 0; i < 4096 && !short; i++ {
		n := s.c.WriteNow(chunk)
		total += n
		short = n < len(chunk)
	}
	if !short {
		t.Fatalf("WriteNow took %d bytes the peer never read without a short write", total)
	}
	if n := s.c.WriteNow(chunk); n != 0 {
		t.Errorf("WriteNow to a full socket wrote %d bytes; want 0", n)
	}
	if n, err := io.ReadFull(s.peer, make([]byte, total)); n != total {
		t.Fatalf("the peer read %d of the %d bytes written: %v", n, total, err)
	}

	if err := s.c.conn.Close(); err != nil {
		t.Fatal(err)
	}
	if n := s.c.WriteNow([]byte("late")); n != 0 {
		t.Errorf("WriteNow after Close wrote %d bytes; want 0", n)
	}
}
