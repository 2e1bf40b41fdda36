package admin

import (
	"encoding/json"
	"net/http"
)

// tree serves GET /tree: the live actor tree as the hub knows it now.
func (a *Admin) tree(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.hub.Tree())
}

// writeJSON replies with v as JSON. Nothing here is cacheable: every reply
// is a snapshot of a live server.
func writeJSON(w http.ResponseWriter, code int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // only a client gone mid-reply fails it
}

// errorReply is the body of every error the endpoint's own handlers send.
type errorReply struct {
	Error string `json:"error"`
}

// writeError replies with code and {"error": msg}.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorReply{Error: msg})
}
