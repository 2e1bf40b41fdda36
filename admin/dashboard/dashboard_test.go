package dashboard_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"async_server/admin/dashboard"
)

// TestHandlerServesThePageOffline ensures the page and its assets are served
// from the binary with their content types, and that none of them loads
// anything from elsewhere: the dashboard must work with no network (no CDN).
func TestHandlerServesThePageOffline(t *testing.T) {
	srv := httptest.NewServer(dashboard.Handler())
	defer srv.Close()
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?(https?:)?//`)
	for _, tc := range []struct{ path, contentType string }{
		{"/", "text/html"},
		{"/app.js", "text/javascript"},
		{"/style.css", "text/css"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tc.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s: reading the body: %v", tc.path, err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("GET %s = %d %q; want 200 %s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.contentType)
		}
		if m := external.Find(body); m != nil {
			t.Errorf("GET %s: loads from elsewhere: %q", tc.path, m)
		}
	}
}
