package admin

import (
	"net/http"
	"strings"
)

// healthz is the liveness probe, in the style of Kubernetes': 200 "ok" as long
// as the process answers. The server draining is alive: a liveness probe that
// failed then would have it killed in the middle of its graceful shutdown.
func (a *Admin) healthz(w http.ResponseWriter, _ *http.Request) {
	probeReply(w, http.StatusOK, "ok")
}

// readyz is the readiness probe: 200 "ok" while the server takes new clients
// (actors.Server.Serving: every listener accepts) and has every service, 503
// "shutting down" from the moment the shutdown begins, so that a load
// balancer sends no new client to a server that is draining, and 503
// "service NAME stopped" once a service has stopped for good
// (actors.Server.LostServices: its restarts spent), since every command that
// needs it is refused until the process restarts.
func (a *Admin) readyz(w http.ResponseWriter, _ *http.Request) {
	if !a.srv.Serving() {
		probeReply(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	if lost := a.srv.LostServices(); len(lost) > 0 {
		probeReply(w, http.StatusServiceUnavailable, "service "+strings.Join(lost, ", ")+" stopped: it failed too often; see the server log")
		return
	}
	probeReply(w, http.StatusOK, "ok")
}

// probeReply writes a probe's one line of plain text, never cached.
func probeReply(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text + "\n"))
}
