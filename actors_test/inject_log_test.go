package actors_test

import (
	"strconv"
	"testing"
	"time"

	"async_server/actors"
)

// TestInjectLogBounded ensures faults injected by hand (POST /faults,
// Server.Inject) cannot grow the log without bound, as a loop of POSTs did
// (118 bytes a fault; a stall causes no decision, so nothing else bounded
// it): 1 000 stalls sent to one connection as fast as they go write at most
// the log budget's burst and its rate's share of "fault injected" lines, and
// each one left out is counted, by the next line written or by one line at
// the shutdown.
func TestInjectLogBounded(t *testing.T) {
	s := startWatched(t, "echo")
	c := s.dialLines(t)
	c.roundTrip(t, "hello", "hello")
	const n = 1000
	start := time.Now()
	for i := range n {
		if _, err := s.Inject("random", actors.Fault{Stall: time.Nanosecond}); err != nil {
			t.Fatalf("Inject %d: %v", i, err)
		}
	}
	took := time.Since(start)
	s.stop(t)
	written, counted := 0, 0
	for _, l := range s.logLines(t) {
		switch l["msg"] {
		case "fault injected":
			written++
		case "faults injected left out of the log (over its budget)":
		default:
			continue
		}
		if v, ok := l["suppressed"]; ok {
			k, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("suppressed=%q: %v", v, err)
			}
			counted += k
		}
	}
	if most := 100 + 10*int(took.Seconds()+1); written > most {
		t.Errorf("%d \"fault injected\" lines for %d faults in %v; want at most %d", written, n, took, most)
	}
	if written+counted != n {
		t.Errorf("%d lines written and %d counted as left out; want %d in all", written, counted, n)
	}
}
