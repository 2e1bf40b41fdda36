package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestHTTPGlobalOptions ensures "OPTIONS *" is answered by the server, as
// net/http's server answers it, not by the handler (a file server answered
// 404): 200 with Content-Length 0 and nothing else of the handler's; a body of
// more than 4 KiB closes the connection after the reply. Other methods with the
// target "*" reach the handler.
func TestHTTPGlobalOptions(t *testing.T) {
	var got []string // the requests the handler saw
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.RequestURI)
		http.NotFound(w, r)
	})
	tests := []struct {
		name    string
		in      string
		status  int
		close   bool
		handler []string
	}{
		{"OPTIONS *", req("OPTIONS * HTTP/1.1", "Host: x"), 200, false, nil},
		{"HTTP/1.0", req("OPTIONS * HTTP/1.0"), 200, true, nil},
		{"4 KiB body", req("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 4096") + strings.Repeat("a", 4096), 200, false, nil},
		{"larger body", req("OPTIONS * HTTP/1.1", "Host: x", "Content-Length: 4097") + strings.Repeat("a", 4097), 200, true, nil},
		{"GET *", req("GET * HTTP/1.1", "Host: x"), 404, false, []string{"GET *"}},
		{"OPTIONS /", req("OPTIONS / HTTP/1.1", "Host: x"), 404, false, []string{"OPTIONS /"}},
	}
	for _, tt := range tests {
		got = nil
		hc, fc := newTestConn(h, Options{})
		if err := feed(hc, fc, []byte(tt.in)); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		r := parseReplies(t, fc.out.Bytes())
		if len(r) != 1 || r[0].status != tt.status || r[0].close != tt.close || fc.closed != tt.close {
			t.Fatalf("%s: output %q, closed %v; want one %d, close %v", tt.name, fc.out.String(), fc.closed, tt.status, tt.close)
		}
		if strings.Join(got, ",") != strings.Join(tt.handler, ",") {
			t.Errorf("%s: the handler saw %q; want %q", tt.name, got, tt.handler)
		}
		if tt.status != 200 {
			continue
		}
		if cl, ct := r[0].header.Get("Content-Length"), r[0].header.Get("Content-Type"); cl != "0" || ct != "" || r[0].body != "" {
			t.Errorf("%s: Content-Length %q, Content-Type %q, body %q; want 0, none, none", tt.name, cl, ct, r[0].body)
		}
	}
}
