package actors_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"async_server/actors"
)

// TestMaxConnsBackpressure ensures that at the connection limit the server stops
// accepting: a third client with MaxConns 2 connects (the kernel backlog holds
// it) but is not served, and is served as soon as one of the first two leaves.
func TestMaxConnsBackpressure(t *testing.T) {
	s := startEcho(t, func(cfg *actors.Config) { cfg.MaxConns = 2 })
	first, second := s.dialLines(t), s.dialLines(t)
	first.roundTrip(t, "first", "first")
	second.roundTrip(t, "second", "second")

	third := s.dialLines(t)
	third.send(t, "third")
	// Not served: the only way to see it is to give the server a while to answer.
	const patience = 300 * time.Millisecond
	_ = third.SetReadDeadline(time.Now().Add(patience))
	if line, err := third.r.ReadString('\n'); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("third client at MaxConns 2: read %q (%v); want no answer within %v", line, err, patience)
	}
	second.roundTrip(t, "still served", "still served")

	first.Close()
	third.expect(t, "third")
	third.roundTrip(t, "served", "served")
	second.roundTrip(t, "still served", "still served")
}
