package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// tree serves GET /tree: the live actor tree as the hub knows it now;
// ?limit=N lists at most N connections under each connection supervisor
// (each still counts them all in "connections").
func (a *Admin) tree(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %q is not a number of connections (0: all)", v))
			return
		}
		limit = n
	}
	writeJSON(w, http.StatusOK, a.hub.TreeUpTo(limit))
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
