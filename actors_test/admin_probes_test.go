package actors_test

import (
	"net/http"
	"testing"
)

// TestAdminProbes ensures /healthz and /readyz answer as Kubernetes probes
// expect: healthz 200 while the server runs; readyz 200 once every listener
// accepts (admin.Start comes after actors.Start, which returns then), and 503
// as soon as the shutdown begins, while connections still drain, so that a
// load balancer stops sending new clients. A connection stalled by an
// injected fault keeps the shutdown in progress while the test looks.
func TestAdminProbes(t *testing.T) {
	s, a := startObserved(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := a.get(t, path); code != http.StatusOK || string(body) != "ok\n" {
			t.Fatalf("GET %s = %d %q; want 200 ok", path, code, body)
		}
	}
	c := s.dialLines(t)
	c.roundTrip(t, "hello", "hello")
	a.inject(t, `{"target": "conn-1", "stall": "3s"}`)
	s.Shutdown()
	waitFor(t, "readyz to say 503 while the shutdown drains", func() bool {
		code, body := a.get(t, "/readyz")
		return code == http.StatusServiceUnavailable && string(body) == "shutting down\n"
	})
	if code, _ := a.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz while draining = %d; want 200 (alive, not ready)", code)
	}
	select {
	case <-s.Done():
		t.Fatal("the server was done before the stalled connection drained: the test saw no drain")
	default:
	}
}
