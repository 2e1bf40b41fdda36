package actors_test

import (
	"testing"
	"time"

	"async_server/actors"
	"async_server/supervision"
)

// TestOutputLimitFreedByFailures ensures a message that fails its connection
// releases what it counted against the output limit: ten injected failures
// (each a 64-byte message, restarted) leave nothing counted, so a connection
// whose limit is under two such messages is still served afterwards, not
// closed for its output.
func TestOutputLimitFreedByFailures(t *testing.T) {
	s := startEcho(t, func(cfg *actors.Config) {
		cfg.Observe = true
		cfg.OutputLimit, cfg.OutputSoftLimit = 100, 0
		cfg.Intensity = supervision.Intensity{MaxRestarts: 100, Within: time.Minute}
	})
	c := s.dialLines(t)
	c.roundTrip(t, "hello", "hello")
	for range 10 {
		s.injectAndWait(t, c.LocalAddr().String(), actors.Fault{Category: "Internal"})
	}
	c.roundTrip(t, "still here", "still here")
	if n := s.countLogLines(t, logLine{"msg": "output limit exceeded; closing the connection"}); n > 0 {
		t.Fatalf("10 failed messages closed the connection for its output limit")
	}
}
