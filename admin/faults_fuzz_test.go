package admin

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// FuzzFaultBody feeds POST /faults bodies to its parser: it must never panic,
// must refuse a body over maxFaultBody, and whatever it accepts must name a
// target and exactly one of a category or a positive stall.
func FuzzFaultBody(f *testing.F) {
	for _, seed := range []string{
		`{"target": "conn-3", "category": "Internal"}`,
		`{"target": "random", "stall": "2s"}`,
		`{"target": "127.0.0.1:5000", "category": "ListenerFailed"}`,
		`{"target": "", "category": "Internal"}`,
		`{"target": "x", "category": "Internal", "stall": "1s"}`,
		`{"target": "x", "stall": "-1s"}`,
		`{"target": "x"} {}`,
		`{"target": "x", "extra": [1, 2]}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/faults", bytes.NewReader(body))
		req, code, err := decodeFault(w, r)
		if err != nil {
			if code < 400 || code > 499 {
				t.Fatalf("refused with %d: %v", code, err)
			}
			return
		}
		if len(body) > maxFaultBody {
			t.Fatalf("accepted a body of %d bytes", len(body))
		}
		if req.Target == "" {
			t.Fatal("accepted a request with no target")
		}
		flt, err := req.fault()
		if err != nil {
			return
		}
		if (flt.Category == "") == (flt.Stall == 0) || flt.Stall < 0 {
			t.Fatalf("fault %+v from %q: want a category or a positive stall", flt, body)
		}
	})
}

// FuzzAddress feeds -admin values to Address: it must never panic, and what
// it accepts must be a HOST:PORT with a port from 0 to 65535.
func FuzzAddress(f *testing.F) {
	for _, seed := range []string{"9090", ":9090", "127.0.0.1:0", "0.0.0.0:9090", "[::1]:9090",
		"nonsense", "127.0.0.1:99999", "", ":", "host:-1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		addr, err := Address(in)
		if err != nil {
			return
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("Address(%q) = %q: %v", in, addr, err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			t.Fatalf("Address(%q) = %q: port %q", in, addr, port)
		}
	})
}
