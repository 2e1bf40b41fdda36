package admin

import "net/http"

// healthz is the liveness probe, in the style of Kubernetes': 200 "ok" as long
// as the process answers. The server draining is alive: a liveness probe that
// failed then would have it killed in the middle of its graceful shutdown.
func (a *Admin) healthz(w http.ResponseWriter, _ *http.Request) {
	probeReply(w, http.StatusOK, "ok")
}

// readyz is the readiness probe: 200 "ok" while the server takes new clients
// (actors.Server.Serving: every listener accepts), 503 "shutting down" from
// the moment the shutdown begins, so that a load balancer sends no new client
// to a server that is draining.
func (a *Admin) readyz(w http.ResponseWriter, _ *http.Request) {
	if !a.srv.Serving() {
		probeReply(w, http.StatusServiceUnavailable, "shutting down")
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
