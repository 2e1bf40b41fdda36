package actors_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/actors"
	"async_server/behaviors/protocol"
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

// TestAdminReadyzLostService ensures /readyz says 503, naming the service, once
// a service has stopped for good (its restarts spent: chat's rooms after four
// failures in 10 s), since every client would be refused what needs it; the
// server itself still runs (healthz 200). Before, readyz said ok, and a load
// balancer kept sending clients to a server that could not serve them.
func TestAdminReadyzLostService(t *testing.T) {
	s, a := startObserved(t, func(cfg *actors.Config) { cfg.Behavior = "chat" })
	for i := 1; i <= 4; i++ {
		if code, body := a.get(t, "/readyz"); code != http.StatusOK {
			t.Fatalf("GET /readyz before failure %d = %d %q; want 200", i, code, body)
		}
		a.inject(t, `{"target": "rooms", "category": "Internal"}`)
		want := "Restart"
		if i == 4 {
			want = "Stop"
		}
		s.waitLogLine(t, logLine{"msg": "supervision decision", "service": "rooms", "directive": want, "restarts": strconv.Itoa(i)})
	}
	code, body := a.get(t, "/readyz")
	if want := "service rooms stopped: it failed too often; see the server log\n"; code != http.StatusServiceUnavailable || string(body) != want {
		t.Errorf("GET /readyz with rooms stopped = %d %q; want 503 %q", code, body, want)
	}
	if code, _ := a.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with rooms stopped = %d; want 200 (alive)", code)
	}
}

// TestShutdownWaitingForServicesLogged ensures a shutdown held up by a stalled
// service says so in the log: once the report is out root stops the
// services, and if they have not stopped two seconds later it logs that the
// shutdown waits for them, naming them. Before, the log ended at the report
// while the process did not exit (and, past the last-resort timer, was forced
// to with no word of why). The service really stalls (it does not return
// from Stopping until the test ends): an injected stall ends when the
// shutdown begins.
func TestShutdownWaitingForServicesLogged(t *testing.T) {
	release := make(chan struct{})
	defer close(release) // before the server's cleanup, which waits for it to stop
	s, _ := startObserved(t, func(cfg *actors.Config) {
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &flooder{conn: c} } // no client comes
		cfg.Services = []protocol.Service{{Name: "stuck", New: func() actor.Actor { return stuckService(release) }}}
	})
	s.Shutdown()
	s.waitLogLine(t, logLine{"msg": "services have not stopped; the shutdown waits for them (is one stalled?)",
		"services": "stuck", "after": "2s", "level": "warning"})
	select {
	case <-s.Done():
		t.Fatal("the server was done while the log said it waited for its services")
	default:
	}
}

// stuckService is a service that does not stop until release is closed: its
// Stopping blocks.
type stuckService chan struct{}

func (s stuckService) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Stopping); ok {
		<-s
	}
}
