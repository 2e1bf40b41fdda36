package actors_test

import (
	"net/http"
	"testing"
)

// TestHTTPOptionsStar ensures the http behavior answers "OPTIONS *" as
// net/http's server does, 200 with an empty body (its file server answered
// 404), and keeps the connection for the next request.
func TestHTTPOptionsStar(t *testing.T) {
	s := startHTTP(t, nil)
	c := s.dialRaw(t)
	c.send(t, httpReq("OPTIONS * HTTP/1.1", "Host: x"))
	resp, body := c.response(t, "OPTIONS")
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 0 || body != "" || resp.Close {
		t.Errorf("OPTIONS *: %d, Content-Length %d, %q, close %v; want 200, 0, empty, kept",
			resp.StatusCode, resp.ContentLength, body, resp.Close)
	}
	c.send(t, httpReq("GET / HTTP/1.1", "Host: x"))
	if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET / after it: %d; want 200", resp.StatusCode)
	}
}
