package admin

import (
	"net"
	"net/http"
	"strings"
)

// hostGuard refuses a request whose Host names something other than the
// endpoint: an IP address, localhost, or the host it was started on (addr).
//
// CrossOriginProtection (routes) cannot tell DNS rebinding: a page on another
// site whose name is made to resolve to 127.0.0.1 reaches the endpoint as
// its own origin, so its POST /faults is same-origin, and it may read /tree
// and /events. Its requests carry that site's name as Host, which this
// refuses with 403.
func hostGuard(addr string, next http.Handler) http.Handler {
	own, _, _ := net.SplitHostPort(addr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" {
			writeError(w, http.StatusForbidden, "no Host header: name this endpoint by its address, localhost or "+own)
			return
		}
		if net.ParseIP(host) == nil && !strings.EqualFold(host, "localhost") && !strings.EqualFold(host, own) {
			writeError(w, http.StatusForbidden, "Host "+r.Host+" is not this endpoint's: use its address, localhost or "+own)
			return
		}
		next.ServeHTTP(w, r)
	})
}
