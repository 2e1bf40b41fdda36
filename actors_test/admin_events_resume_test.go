package actors_test

import (
	"testing"

	"async_server/observatory"
)

// TestAdminEventsStaleID ensures a stream resumed after an id this server
// never gave (past its newest event: the id a browser's EventSource kept
// from before the server restarted, whose new events count from 1 again)
// gets every kept event, as a new stream does, and then live ones. It got
// none of the kept ones: the dashboard of a restarted server lacked the
// events from the server's start to its reconnection (EventSource retries
// after about 3 s), the first clients' "accepted" among them.
func TestAdminEventsStaleID(t *testing.T) {
	s, a := startObserved(t, nil)
	before := s.dialLines(t)
	before.roundTrip(t, "hello", "hello")
	st := a.openEvents(t, "", "1000000")
	after := s.dialLines(t)
	after.roundTrip(t, "hello", "hello")
	for _, c := range []*lineClient{before, after} {
		got := st.next(t).decode(t)
		if got.Kind != observatory.Accepted || got.Remote != c.LocalAddr().String() {
			t.Fatalf("event = %+v; want accepted for %s", got, c.LocalAddr())
		}
	}
}
