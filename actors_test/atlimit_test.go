package actors_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
)

// This file covers -at-limit reject: at -max-conns, with no idle connection to
// close, a new client reads its behavior's busy reply and is closed. Queue mode
// (the default) is covered by maxconns_test.go, unchanged.

// rejectAtOne makes a server hold one connection and reject past it.
func rejectAtOne(cfg *actors.Config) {
	cfg.MaxConns = 1
	cfg.AtLimit = actors.AtLimitReject
}

// rejectedLine is the log line of rejections; "rejected" and "total" count them.
var rejectedLine = logLine{"msg": "clients rejected at the connection limit", "level": "warning"}

// TestAtLimitRejectEcho ensures a client past the limit reads the default busy
// line and EOF at once, the client being served is unaffected, and the log
// counts the rejection.
func TestAtLimitRejectEcho(t *testing.T) {
	s := startEcho(t, rejectAtOne)
	first := s.dialLines(t)
	first.roundTrip(t, "first", "first")

	second := s.dialLines(t)
	second.expect(t, "error: server busy, try again later")
	second.expectEOF(t)

	first.roundTrip(t, "still served", "still served")
	checkFields(t, s.waitLogLine(t, rejectedLine), logLine{"rejected": "1", "total": "1"})
}

// TestAtLimitRejectBehaviorReply ensures the behavior's own busy reply is the
// one sent: faults says it as Redis does.
func TestAtLimitRejectBehaviorReply(t *testing.T) {
	s := startBehavior(t, "faults", rejectAtOne)
	first := s.dialLines(t)
	first.roundTrip(t, "one", "count 1: one")

	second := s.dialLines(t)
	second.expect(t, "-ERR max number of clients reached")
	second.expectEOF(t)
	first.roundTrip(t, "two", "count 2: two")
}

// TestAtLimitRejectHTTP ensures a net/http client past the limit gets 503 with
// Retry-After and Connection: close, while the connection being served (busy:
// it waits for a body after "100 Continue") still gets its response.
func TestAtLimitRejectHTTP(t *testing.T) {
	s := startHTTP(t, rejectAtOne)
	first := s.dialRaw(t)
	first.send(t, httpReq("POST / HTTP/1.1", "Host: x", "Content-Length: 5", "Expect: 100-continue"))
	if resp, _ := first.response(t, "POST"); resp.StatusCode != http.StatusContinue {
		t.Fatalf("first client: status %d; want 100 before its body", resp.StatusCode)
	}

	resp, body := httpGet(t, httpClient(t), "GET", s.url("/"), nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !resp.Close {
		t.Errorf("client past the limit: %d, Retry-After %q, close %v; want 503, \"1\", true",
			resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close)
	}
	if want := "503 Service Unavailable: server busy, try again later\n"; body != want {
		t.Errorf("503 body %q; want %q", body, want)
	}

	first.send(t, "hello")
	if resp, _ := first.response(t, "POST"); resp.StatusCode != http.StatusOK {
		t.Errorf("first client: status %d; want 200: served as before", resp.StatusCode)
	}
	s.waitLogLine(t, rejectedLine)
}

// TestAtLimitRejectClosesIdleFirst ensures reject mode, like queue mode, first
// closes a connection that said it is idle to admit the new client: only with
// no idle connection is a client turned away.
func TestAtLimitRejectClosesIdleFirst(t *testing.T) {
	s := startFaulty(t, rejectAtOne)
	idle := s.dialLines(t)
	idle.roundTrip(t, "idle", "idle")

	admitted := s.dialLines(t)
	admitted.roundTrip(t, "hello", "count 1 hello")
	idle.expectEOF(t)

	rejected := s.dialLines(t) // admitted is busy now
	rejected.expect(t, "error: server busy, try again later")
	rejected.expectEOF(t)
}

// TestAtLimitRejectFlood ensures a flood of clients at the limit costs bounded
// resources and log: each of 300 concurrent clients reads the busy line or
// nothing (past the bound on rejections in flight) and then a clean EOF; the
// log has at most one rejection line a second, whose counts add up to 300, and
// whose "unanswered" counts add up to the clients closed without the busy
// line; and no goroutine outlives the server (the harness checks at stop).
func TestAtLimitRejectFlood(t *testing.T) {
	s := startEcho(t, rejectAtOne)
	first := s.dialLines(t)
	first.roundTrip(t, "first", "first")

	const clients = 300
	start := time.Now()
	replies := make([]string, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			c, err := dialLineClient(s.Addr)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			b, err := io.ReadAll(c) // its deadline is waitTimeout
			replies[i], errs[i] = string(b), err
		})
	}
	wg.Wait()
	busy := string(protocol.DefaultBusyReply)
	answered := 0
	for i := range clients {
		switch {
		case errs[i] != nil:
			t.Errorf("client %d: %v after %q; want a clean EOF", i, errs[i], replies[i])
		case replies[i] == busy:
			answered++
		case replies[i] != "":
			t.Errorf("client %d read %q; want %q or nothing", i, replies[i], busy)
		}
	}
	t.Logf("%d of %d clients read the busy reply, the rest a bare close", answered, clients)
	first.roundTrip(t, "still served", "still served")

	var lines []logLine
	unanswered := 0
	waitFor(t, fmt.Sprintf("log lines counting %d rejections", clients), func() bool {
		lines, unanswered = nil, 0
		sum := 0
		for _, l := range s.logLines(t) {
			if l.matches(rejectedLine) {
				n, _ := strconv.Atoi(l["rejected"])
				u, _ := strconv.Atoi(l["unanswered"])
				sum, unanswered = sum+n, unanswered+u
				lines = append(lines, l)
			}
		}
		return sum == clients
	})
	if unanswered != clients-answered {
		t.Errorf("the log counts %d rejections unanswered; %d clients read no busy reply", unanswered, clients-answered)
	}
	if most := 1 + int(time.Since(start)/time.Second); len(lines) > most {
		t.Errorf("%d rejection log lines within %v; want at most %d (one a second)", len(lines),
			time.Since(start).Round(time.Millisecond), most)
	}
	checkFields(t, lines[len(lines)-1], logLine{"total": strconv.Itoa(clients)})
}
