package actors_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"async_server/actors"
)

// TestNonReadingPeerIsBounded ensures flow control: a peer that sends without
// ever reading the replies can push only a bounded amount into the server (the
// kernel's socket buffers, and one read buffer), after which TCP holds it back;
// the server does not read on into memory.
func TestNonReadingPeerIsBounded(t *testing.T) {
	// What TCP holds (socket buffers on both sides, autotuned) is a few MiB on
	// loopback (about 8 here); a server reading without bound would take this much
	// in well under a second.
	const bound = 64 << 20
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Behavior = "echo"
		cfg.WriteTimeout = 0 // the server's writes wait for the peer for ever
	})
	c := s.dial(t)
	n, err := writeUntilStalled(c, 500*time.Millisecond, bound)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("writing without reading: wrote %d bytes, then %v; want a stall before %d bytes", n, err, bound)
	}
}
