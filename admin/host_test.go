package admin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHostGuard ensures requests that name the endpoint (by address,
// localhost or the host it was started on, in any case) pass, and one whose
// Host is another site's name (DNS rebinding), or that has none, gets 403
// without reaching the handler, saying which.
func TestHostGuard(t *testing.T) {
	reached := false
	h := hostGuard("admin.internal:9090", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	for _, c := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:9090", http.StatusOK},
		{"[::1]:9090", http.StatusOK},
		{"localhost:9090", http.StatusOK},
		{"LOCALHOST:9090", http.StatusOK},
		{"LocalHost", http.StatusOK},
		{"Admin.Internal:9090", http.StatusOK},
		{"", http.StatusForbidden},
		{"admin.internal:9090", http.StatusOK},
		{"10.0.0.5", http.StatusOK},
		{"evil.example:9090", http.StatusForbidden},
		{"evil.example", http.StatusForbidden},
		{"localhost.evil.example:9090", http.StatusForbidden},
	} {
		reached = false
		r := httptest.NewRequest(http.MethodPost, "/faults", nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want || reached != (c.want == http.StatusOK) {
			t.Errorf("Host %q: %d, handler reached %v; want %d", c.host, w.Code, reached, c.want)
		}
		if c.host == "" && !strings.Contains(w.Body.String(), "no Host header") {
			t.Errorf("no Host: %s; want it to say there is no Host header", w.Body)
		}
	}
}
