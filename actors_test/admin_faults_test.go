package actors_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"async_server/observatory"
)

// TestAdminFaultsRejected ensures every bad POST /faults gets its own 4xx
// with a JSON {"error": ...} that says what is wrong, and injects nothing:
// afterwards the metrics count no fault and no decision, and the connection
// still echoes. A good request then gets its 202 (the test can tell).
func TestAdminFaultsRejected(t *testing.T) {
	s, a := startObserved(t, nil)
	if code, body := a.do(t, http.MethodPost, "/faults", `{"target": "random", "category": "Internal"}`); code != http.StatusNotFound ||
		!strings.Contains(string(body), "no live connection") {
		t.Errorf("random with no connection = %d %s; want 404 saying there is no live connection", code, body)
	}
	for _, name := range []string{"services", "root", "conns-" + s.Addr} { // /tree shows them; they take no faults
		if code, body := a.do(t, http.MethodPost, "/faults", `{"target": "`+name+`", "category": "Internal"}`); code != http.StatusNotFound ||
			!strings.Contains(string(body), "takes no faults") {
			t.Errorf("%s = %d %s; want 404 saying it takes no faults", name, code, body)
		}
	}
	c := s.dialLines(t)
	c.roundTrip(t, "hello", "hello")
	target := func(rest string) string { return `{"target": "conn-1", ` + rest + `}` }
	tests := []struct {
		method, body string
		code         int
		says         string // in the error message
	}{
		{"GET", "", 405, "POST"},
		{"PUT", target(`"category": "Internal"`), 405, "PUT"},
		{"POST", "", 400, "EOF"},
		{"POST", "{", 400, "body"},
		{"POST", "[]", 400, "body"},
		{"POST", target(`"category": "Internal", "extra": 1`), 400, `unknown field "extra"`},
		{"POST", target(`"category": "Internal"`) + " {}", 400, "more than one"},
		{"POST", target(`"category": "Nope"`), 400, `unknown category "Nope"`},
		{"POST", target(`"category": 7`), 400, "category"},
		{"POST", target(`"stall": "soon"`), 400, `stall "soon"`},
		{"POST", target(`"stall": "0s"`), 400, `stall "0s"`},
		{"POST", target(`"stall": "-1s"`), 400, `stall "-1s"`},
		{"POST", target(`"stall": "1h"`), 400, "at most 30s"},
		{"POST", target(`"category": "Internal", "stall": "1s"`), 400, "not both"},
		{"POST", `{"target": "conn-1"}`, 400, "give a category"},
		{"POST", `{"category": "Internal"}`, 400, "target missing"},
		{"POST", `{"target": "conn-99", "category": "Internal"}`, 404, `"conn-99"`},
		{"POST", `{"target": "127.0.0.1:1", "category": "Internal"}`, 404, "no such target"},
		{"POST", target(`"category": "` + strings.Repeat("x", 5000) + `"`), 413, "4096"},
	}
	for _, tt := range tests {
		code, body := a.do(t, tt.method, "/faults", tt.body)
		var reply struct{ Error string }
		err := json.Unmarshal(body, &reply)
		if code != tt.code || err != nil || !strings.Contains(reply.Error, tt.says) {
			t.Errorf("%s /faults %.60s = %d %s; want %d and an error saying %q", tt.method, tt.body, code, body, tt.code, tt.says)
		}
	}
	if code, _ := a.do(t, http.MethodPost, "/tree", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /tree = %d; want 405", code)
	}

	m := a.metrics(t)
	for _, name := range []string{"async_server_faults_injected_total", "async_server_supervision_decisions_total"} {
		if got := metricSum(m, name); got != 0 {
			t.Errorf("%s = %v after bad requests only; want 0", name, got)
		}
	}
	c.roundTrip(t, "still here", "still here")

	e := a.inject(t, target(`"category": "BadRequest"`))
	if e.Kind != observatory.Injected || e.Actor != "conn-1" || e.Category != "BadRequest" || e.Seq == 0 {
		t.Errorf("202 event = %+v; want injected BadRequest for conn-1 with its seq", e)
	}
	a.waitMetric(t, 1, "async_server_supervision_decisions_total", "injected", "true", "category", "BadRequest")
	fmt.Fprintln(c) // echo keeps framing: the restarted connection still echoes
	c.expect(t, "")
}

// TestAdminFaultsCrossOrigin ensures a web page on another site cannot make
// the operator's browser inject a fault (CSRF): a cross-site POST is refused
// with 403 and nothing is injected, while the same POST from the dashboard's
// own origin, or with no browser headers (curl), gets its 202.
func TestAdminFaultsCrossOrigin(t *testing.T) {
	s, a := startObserved(t, nil)
	s.dialLines(t).roundTrip(t, "hello", "hello")
	client := httpClient(t)
	post := func(header map[string]string) int {
		req, err := http.NewRequest(http.MethodPost, a.URL+"/faults", strings.NewReader(`{"target": "conn-1", "stall": "1ms"}`))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "http://evil.example"},
	} {
		if code := post(h); code != http.StatusForbidden {
			t.Errorf("POST with %v = %d; want 403", h, code)
		}
	}
	if n := gatheredSum(t, s.Hub().Registry(), "async_server_faults_injected_total"); n != 0 {
		t.Errorf("%v faults injected by refused requests", n)
	}
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "same-origin"}, {"Origin": a.URL}, {}} {
		if code := post(h); code != http.StatusAccepted {
			t.Errorf("POST with %v = %d; want 202", h, code)
		}
	}
}
