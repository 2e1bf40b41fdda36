package admin

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"async_server/observatory"
)

const (
	// heartbeat is how often an idle stream gets a comment: it keeps proxies
	// from closing it and finds a client that has gone.
	heartbeat = 15 * time.Second
	// writeWait bounds each write to a stream: a client that takes nothing
	// for this long is dropped (it reconnects with Last-Event-ID).
	writeWait = 10 * time.Second
	// streamBuffer is how many events a stream may fall behind the hub before
	// the hub drops it (observatory.Subscription.Lagged).
	streamBuffer = 1024
	// maxStreams bounds the streams open at once: each holds a goroutine and
	// a buffer of streamBuffer events (a few hundred KiB). Past it a client
	// gets 503 and tries again (an EventSource does by itself).
	maxStreams = 32
	// flushDelay is how long a stream gathers the events that follow one
	// before it writes them: unnoticeable on the dashboard (it draws twice a
	// second), and a burst of thousands of events a second costs each stream
	// a hundred writes, not thousands.
	flushDelay = 10 * time.Millisecond
)

// kinds are the event kinds ?kinds= may name.
var kinds = []observatory.Kind{observatory.Accepted, observatory.Decision, observatory.Stopped, observatory.Injected}

// events serves GET /events as server-sent events: the events the hub kept
// after the client's Last-Event-ID (or ?after=SEQ; all kept ones without
// either), then every new one, until the client goes, it falls too far
// behind, or Close. Each is "id: SEQ", "event: KIND", "data: JSON".
func (a *Admin) events(w http.ResponseWriter, r *http.Request) {
	after, err := resumeAfter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	want, err := kindFilter(r.URL.Query().Get("kinds"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rc := http.NewResponseController(w)
	switch err := a.admit(rc); {
	case errors.Is(err, errStreamsFull):
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("%d event streams are open already; try again later", maxStreams))
		return
	case err != nil:
		return // Close has begun
	}
	defer a.leave(rc)
	// The server's read and write timeouts are for short replies: a stream
	// lives long. Each write sets its own deadline instead (send).
	_ = rc.SetReadDeadline(time.Time{})
	sub, backlog := a.hub.Subscribe(after, streamBuffer)
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // a proxy in front must not hold events back
	w.WriteHeader(http.StatusOK)
	if a.send(w, rc, []byte(": stream\n\n")) != nil { // the client sees the headers at once
		return
	}
	if a.extend(rc) != nil {
		return
	}
	for _, e := range backlog {
		if want(e) && a.writeEvent(w, e) != nil {
			return
		}
	}
	if rc.Flush() != nil {
		return
	}
	a.stream(w, rc, r, sub, want)
}

// stream sends sub's live events until the stream ends.
func (a *Admin) stream(w http.ResponseWriter, rc *http.ResponseController, r *http.Request,
	sub *observatory.Subscription, want func(observatory.Event) bool) {
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	for {
		var err error
		select {
		case e, ok := <-sub.C:
			if !ok { // lagged: the client reconnects and gets what the hub kept
				_ = a.send(w, rc, []byte(": lagged behind; reconnect with Last-Event-ID\n\n"))
				return
			}
			err = a.sendEvents(w, rc, r, e, sub, want)
		case <-ping.C:
			err = a.send(w, rc, []byte(": ping\n\n"))
		case <-r.Context().Done():
			return
		case <-a.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// sendEvents writes first, then waits flushDelay for the events that follow
// it and writes those already waiting in sub (each that want lets through),
// within writeWait, and flushes them at once: a burst of events costs a
// stream one wake-up and one write to its client every flushDelay, not one
// per event.
func (a *Admin) sendEvents(w http.ResponseWriter, rc *http.ResponseController, r *http.Request,
	first observatory.Event, sub *observatory.Subscription, want func(observatory.Event) bool) error {
	if err := a.extend(rc); err != nil {
		return err
	}
	if want(first) {
		if err := a.writeEvent(w, first); err != nil {
			return err
		}
	}
	gather := time.NewTimer(flushDelay)
	defer gather.Stop()
	select {
	case <-gather.C:
	case <-r.Context().Done():
		return r.Context().Err()
	case <-a.quit:
		return errClosing
	}
	for range streamBuffer { // what is waiting now, not what keeps coming
		select {
		case e, ok := <-sub.C:
			if !ok { // lagged: the stream's next receive sees it
				return rc.Flush()
			}
			if want(e) {
				if err := a.writeEvent(w, e); err != nil {
					return err
				}
			}
		default:
			return rc.Flush()
		}
	}
	return rc.Flush()
}

// writeEvent writes e as one server-sent event, encoded once for every
// stream (frames), without flushing it.
func (a *Admin) writeEvent(w http.ResponseWriter, e observatory.Event) error {
	b, err := a.frames.of(e)
	if err == nil {
		_, err = w.Write(b)
	}
	return err
}

// send writes b within writeWait and flushes it to the client.
func (a *Admin) send(w http.ResponseWriter, rc *http.ResponseController, b []byte) error {
	if err := a.extend(rc); err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	return rc.Flush()
}

// resumeAfter is the sequence number a client has seen: its Last-Event-ID
// header (a reconnecting EventSource sends it), else ?after=, else 0.
func resumeAfter(r *http.Request) (uint64, error) {
	v, name := r.Header.Get("Last-Event-ID"), "Last-Event-ID"
	if v == "" {
		v, name = r.URL.Query().Get("after"), "after"
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an event id (a number)", name, v)
	}
	return n, nil
}

// kindFilter makes the filter ?kinds=decision,injected asks for; an empty
// list lets every kind through.
func kindFilter(list string) (func(observatory.Event) bool, error) {
	if list == "" {
		return func(observatory.Event) bool { return true }, nil
	}
	set := make(map[observatory.Kind]bool)
	for _, k := range strings.Split(list, ",") {
		k := observatory.Kind(strings.TrimSpace(k))
		if !slices.Contains(kinds, k) {
			return nil, fmt.Errorf("kinds: %q is not one of %v", k, kinds)
		}
		set[k] = true
	}
	return func(e observatory.Event) bool { return set[e.Kind] }, nil
}
