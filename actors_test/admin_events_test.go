package actors_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"async_server/observatory"
)

// TestAdminEvents ensures /events streams what happens, in order, to a Go SSE
// client: a connection's "accepted"; a fault injected through POST /faults as
// "injected" (the event the 202 returned, same id) and then the supervisor's
// "decision" marked injected; a client that reconnects with Last-Event-ID (or
// ?after=) gets exactly the events it missed, then live ones; ?kinds= filters;
// and the stream ends when the endpoint closes.
func TestAdminEvents(t *testing.T) {
	s, a := startObserved(t, nil)
	first := a.openEvents(t, "", "")
	c := s.dialLines(t)
	c.roundTrip(t, "hello", "hello")
	remote := c.LocalAddr().String()
	accepted := first.next(t)
	e := accepted.decode(t)
	if accepted.Event != "accepted" || e.Kind != observatory.Accepted || e.Remote != remote || e.Behavior != "echo" ||
		accepted.ID != strconv.FormatUint(e.Seq, 10) {
		t.Fatalf("first event = %+v; want accepted for %s with its seq as id", accepted, remote)
	}
	id := e.Actor

	// Live: the injection, then its decision.
	injected := a.inject(t, fmt.Sprintf(`{"target": %q, "category": "Internal"}`, id))
	if got := first.nextFor(t, id); got != injected || got.Kind != observatory.Injected || !got.Injected {
		t.Errorf("event after the injection = %+v; want the 202's %+v", got, injected)
	}
	d := first.nextFor(t, id)
	if d.Kind != observatory.Decision || !d.Injected || d.Category != "Internal" || d.Directive != "Restart" ||
		d.Restarts != 1 || d.Budget != 3 || d.Remote != remote {
		t.Errorf("decision = %+v; want an injected Internal restart 1 of 3 for %s", d, remote)
	}

	// Missed: what happens while no stream is open comes on resuming.
	other := s.dialLines(t)
	other.roundTrip(t, "bye", "bye")
	other.Close()
	a.waitMetric(t, 1, "async_server_connections_closed_total")
	last := strconv.FormatUint(d.Seq, 10)
	resumed := a.openEvents(t, "", last)
	byQuery := a.openEvents(t, "?after="+last, "")
	for _, st := range []*sseStream{resumed, byQuery} {
		for i, want := range []observatory.Kind{observatory.Accepted, observatory.Stopped} {
			got := st.next(t).decode(t)
			if got.Kind != want || got.Seq != d.Seq+uint64(i)+1 || got.Remote != other.LocalAddr().String() {
				t.Errorf("resumed event %d = %+v; want %s of %s with seq %d", i, got, want, other.LocalAddr(), d.Seq+uint64(i)+1)
			}
		}
	}

	// Filtered, from the start: only the injection and its decision.
	filtered := a.openEvents(t, "?kinds=decision,injected", "")
	for _, want := range []observatory.Kind{observatory.Injected, observatory.Decision} {
		if got := filtered.next(t).decode(t); got.Kind != want {
			t.Errorf("?kinds=decision,injected gave %+v; want %s", got, want)
		}
	}
	// Then live, on the resumed stream too.
	stall := a.inject(t, fmt.Sprintf(`{"target": %q, "stall": "10ms"}`, remote))
	for _, st := range []*sseStream{filtered, resumed} {
		if got := st.next(t).decode(t); got != stall || got.Stall != "10ms" {
			t.Errorf("live event = %+v; want the stall %+v", got, stall)
		}
	}

	a.Close()
	for _, st := range []*sseStream{first, resumed, byQuery, filtered} {
		st.expectEnd(t)
	}
}

// TestAdminEventsBadRequest ensures a stream asked for with a bad resume
// point or an unknown kind gets a 400 naming it, not a stream.
func TestAdminEventsBadRequest(t *testing.T) {
	_, a := startObserved(t, nil)
	for _, path := range []string{"/events?after=x", "/events?kinds=decision,nope", "/events?after=-1"} {
		if code, body := a.get(t, path); code != http.StatusBadRequest {
			t.Errorf("GET %s = %d %s; want 400", path, code, body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/events", nil)
	req.Header.Set("Last-Event-ID", "seven")
	resp, err := httpClient(t).Do(req) // its timeout bounds the request, should a stream come instead of the 400
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /events with Last-Event-ID: seven = %d; want 400", resp.StatusCode)
	}
}

// TestAdminEventsStreamLimit ensures at most 32 streams are open at once: the
// next client gets 503 with Retry-After, and a slot frees when a stream ends.
func TestAdminEventsStreamLimit(t *testing.T) {
	_, a := startObserved(t, nil)
	streams := make([]*sseStream, 32)
	for i := range streams {
		streams[i] = a.openEvents(t, "", "")
	}
	client := httpClient(t) // its timeout bounds each request; a stream it gets is closed at once, well within it
	resp, err := client.Get(a.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("stream 33: %s, Retry-After %q; want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	streams[0].resp.Body.Close()
	deadline := time.Now().Add(waitTimeout)
	for { // the server frees the slot once it sees the client gone
		resp, err := client.Get(a.URL + "/events")
		if err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			return
		}
		if err == nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stream slot freed after a client left: %v", err)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition against the deadline
	}
}
