package actors_test

// A small server-sent-events client for the admin endpoint's /events: a
// reader goroutine parses the stream (bufio over the response body) into
// events the test takes one by one.

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"async_server/observatory"
)

// sseEvent is one server-sent event as a client sees it.
type sseEvent struct {
	ID, Event, Data string
}

// decode unmarshals the event's data.
func (e sseEvent) decode(t testing.TB) observatory.Event {
	t.Helper()
	var ev observatory.Event
	if err := json.Unmarshal([]byte(e.Data), &ev); err != nil {
		t.Fatalf("event %s data %q: %v", e.ID, e.Data, err)
	}
	return ev
}

// sseStream is an open GET /events: a reader goroutine parses the stream
// into events until the body ends, then closes events.
type sseStream struct {
	resp   *http.Response
	events chan sseEvent
}

// openEvents opens /events with query (e.g. "?after=3") and, if not empty,
// a Last-Event-ID header. The stream is closed when the test ends.
func (a *adminClient) openEvents(t testing.TB, query, lastID string) *sseStream {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL+"/events"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /events%s: %v", query, err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("GET /events%s = %d %q; want 200 text/event-stream", query, resp.StatusCode, ct)
	}
	s := &sseStream{resp: resp, events: make(chan sseEvent, 64)}
	go s.read() // ends when the body does: the server ends the stream, or the cleanup closes it
	t.Cleanup(func() {
		resp.Body.Close()
		for range s.events { // until read has returned, never blocked on a full channel
		}
	})
	return s
}

// read parses the stream: "field: value" lines, a blank line ends an event,
// and lines starting with ':' are comments.
func (s *sseStream) read() {
	defer close(s.events)
	r := bufio.NewReader(s.resp.Body)
	var e sseEvent
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		field, value, _ := strings.Cut(line, ": ")
		switch {
		case line == "" && e.Data != "":
			s.events <- e
			e = sseEvent{}
		case strings.HasPrefix(line, ":"):
		case field == "id":
			e.ID = value
		case field == "event":
			e.Event = value
		case field == "data":
			e.Data += value
		}
	}
}

// next returns the next event, failing the test if none comes within
// waitTimeout or the stream ends.
func (s *sseStream) next(t testing.TB) sseEvent {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the event stream ended; want another event")
		}
		return e
	case <-time.After(waitTimeout):
		t.Fatalf("no event within %v", waitTimeout)
		return sseEvent{}
	}
}

// nextFor returns the next event about actor, skipping others.
func (s *sseStream) nextFor(t testing.TB, actor string) observatory.Event {
	t.Helper()
	for {
		if e := s.next(t).decode(t); e.Actor == actor {
			return e
		}
	}
}

// expectEnd waits until the server ends the stream, skipping any events.
func (s *sseStream) expectEnd(t testing.TB) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("the event stream still open after %v; want it ended", waitTimeout)
		}
	}
}
