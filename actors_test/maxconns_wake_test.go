package actors_test

import (
	"testing"
	"time"

	"async_server/actors"
)

// TestMaxConnsIdleLaterAdmits ensures a client queued at the connection limit
// when no connection is idle is admitted as soon as one turns idle (an HTTP
// connection that has answered its request, say), not only when one closes.
// It once waited for the busy connection's idle timeout: room was looked for
// only when the client arrived.
func TestMaxConnsIdleLaterAdmits(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) { cfg.MaxConns = 1; cfg.IdleTimeout = time.Hour })
	busy := s.dialLines(t)
	busy.roundTrip(t, "working", "count 1 working")

	waiting := s.dialLines(t)
	waiting.send(t, "hello")
	expectNoAnswer(t, waiting, "waiting client at MaxConns 1 with the connection busy")

	busy.roundTrip(t, "idle", "idle") // now idle: room for the waiting client
	waiting.expect(t, "count 1 hello")
	busy.expectEOF(t)
}
