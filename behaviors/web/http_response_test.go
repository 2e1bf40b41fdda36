package web

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// TestHTTPResponseFraming is the ResponseWriter's contract: which framing each
// kind of response gets, as a client sees it.
func TestHTTPResponseFraming(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		method   string
		status   int
		length   string // the Content-Length field
		te       string // the Transfer-Encoding field
		bodyLen  int
		close    bool
		sniffed  string // when set, the Content-Type
		informed bool   // a 1xx came first
	}{
		{"short body gets a length", req("GET / HTTP/1.1", "Host: x"), "GET", 200, "33", "", 33, false, "", false},
		{"long body is chunked", req("GET /stream?n=5000 HTTP/1.1", "Host: x"), "GET", 200, "", "chunked", 5000, false, "", false},
		{"HTTP/1.0 long body ends with the connection", req("GET /stream?n=5000 HTTP/1.0", "Connection: keep-alive"),
			"GET", 200, "", "", 5000, true, "", false},
		{"flushed body is chunked", req("GET /flush HTTP/1.1", "Host: x"), "GET", 200, "", "chunked", 2, false, "", false},
		{"204 has no body", req("GET /nocontent HTTP/1.1", "Host: x"), "GET", 204, "", "", 0, false, "", false},
		{"HEAD of a short body has its length", req("HEAD / HTTP/1.1", "Host: x"), "HEAD", 200, "34", "", 0, false, "", false},
		{"HEAD of a long body", req("HEAD /stream?n=5000 HTTP/1.1", "Host: x"), "HEAD", 200, "", "", 0, false, "", false},
		{"content type sniffed", req("GET /html HTTP/1.1", "Host: x"), "GET", 200, "13", "", 13, false, "text/html; charset=utf-8", false},
		{"1xx before the response", req("GET /early HTTP/1.1", "Host: x"), "GET", 200, "2", "", 2, false, "", true},
	}
	mux := http.NewServeMux()
	mux.Handle("/", testHandler())
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html></html>") })
	mux.HandleFunc("/early", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		io.WriteString(w, "ok")
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, fc := newTestConn(mux, Options{})
			if err := feed(hc, fc, []byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			out := fc.out.String()
			if got := strings.HasPrefix(out, "HTTP/1.1 103 "); got != tt.informed {
				t.Errorf("1xx first = %v; want %v", got, tt.informed)
			}
			if tt.informed {
				out = out[strings.Index(out, "\r\n\r\n")+4:]
			}
			r := parseReplies(t, []byte(out), tt.method)
			if len(r) != 1 {
				t.Fatalf("%d responses; want 1:\n%s", len(r), out)
			}
			got := r[0]
			te := ""
			if strings.Contains(out, "Transfer-Encoding: chunked\r\n") {
				te = "chunked"
			}
			switch {
			case got.status != tt.status:
				t.Errorf("status = %d; want %d", got.status, tt.status)
			case got.header.Get("Content-Length") != tt.length:
				t.Errorf("Content-Length = %q; want %q", got.header.Get("Content-Length"), tt.length)
			case te != tt.te:
				t.Errorf("Transfer-Encoding = %q; want %q", te, tt.te)
			case len(got.body) != tt.bodyLen:
				t.Errorf("body is %d bytes; want %d", len(got.body), tt.bodyLen)
			case got.close != tt.close || fc.closed != tt.close:
				t.Errorf("close = %v, conn closed = %v; want %v", got.close, fc.closed, tt.close)
			case tt.sniffed != "" && got.header.Get("Content-Type") != tt.sniffed:
				t.Errorf("Content-Type = %q; want %q", got.header.Get("Content-Type"), tt.sniffed)
			case got.header.Get("Date") == "":
				t.Errorf("no Date field")
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// TestHTTPHeaderSnapshot ensures header changes after WriteHeader are not sent,
// as the http.ResponseWriter contract says.
func TestHTTPHeaderSnapshot(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		w.WriteHeader(http.StatusAccepted)
		w.Header().Set("X-After", "1")
		io.WriteString(w, "ok")
	})
	hc, fc := newTestConn(h, Options{})
	if err := feed(hc, fc, []byte(req("GET / HTTP/1.1", "Host: x"))); err != nil {
		t.Fatal(err)
	}
	r := parseReplies(t, fc.out.Bytes())
	if r[0].status != http.StatusAccepted || r[0].header.Get("X-Before") != "1" || r[0].header.Get("X-After") != "" {
		t.Errorf("response %d %v; want 202 with X-Before only", r[0].status, r[0].header)
	}
}

// TestHTTPReadFromMatchesWrite ensures that a body copied in through ReadFrom
// (io.Copy's choice) or WriteString (io.WriteString's) reaches the client as the
// same body written with Write does, with the same header and framing: short (a
// length), past the pre-commit buffer (chunked; the chunks may be cut
// differently), with a declared length, and for HEAD.
func TestHTTPReadFromMatchesWrite(t *testing.T) {
	for _, n := range []int{0, 100, preCommitSize, preCommitSize + 1, 100 << 10} {
		for _, declared := range []bool{false, true} {
			for _, method := range []string{"GET", "HEAD"} {
				body := strings.Repeat("0123456789", n/10+1)[:n]
				serve := func(how string) reply {
					h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if declared {
							w.Header().Set("Content-Length", strconv.Itoa(n))
						}
						switch how {
						case "ReadFrom": // a plain Reader, so that io.Copy picks w's ReadFrom
							_, _ = io.Copy(w, struct{ io.Reader }{strings.NewReader(body)})
						case "WriteString":
							_, _ = w.(io.StringWriter).WriteString(body)
						default:
							_, _ = w.Write([]byte(body))
						}
					})
					hc, fc := newTestConn(h, Options{})
					if err := feed(hc, fc, []byte(req(method+" / HTTP/1.1", "Host: x"))); err != nil {
						t.Fatal(err)
					}
					r := parseReplies(t, fc.out.Bytes(), method)
					if len(r) != 1 {
						t.Fatalf("%d responses; want 1:\n%.300q", len(r), fc.out.String())
					}
					return r[0]
				}
				want := serve("Write")
				for _, how := range []string{"ReadFrom", "WriteString"} {
					if got := serve(how); !reflect.DeepEqual(got, want) {
						t.Errorf("%s of %d bytes (declared %v): %s sent\n%+.300v\nWrite sent\n%+.300v", method, n, declared, how, got, want)
					}
				}
			}
		}
	}
}

// TestHTTPFileAllocations ensures that serving a static file does not allocate
// a copy buffer per request (io.Copy's is the file's size, up to 32 KiB): the
// file server's copy goes through ReadFrom's pooled buffer.
func TestHTTPFileAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random")
	}
	h := http.FileServerFS(fstest.MapFS{"page.txt": {Data: bytes.Repeat([]byte("x"), 64<<10)}})
	hc, fc := newTestConn(h, Options{})
	request := []byte(req("GET /page.txt HTTP/1.1", "Host: x"))
	serve := func() {
		fc.out.Reset()
		if err := hc.Received(request); err != nil || !bytes.HasPrefix(fc.out.Bytes(), []byte("HTTP/1.1 200 ")) {
			t.Fatalf("response %.100q, %v", fc.out.Bytes(), err)
		}
	}
	serve() // warm the pools
	const n = 100
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		serve()
	}
	runtime.ReadMemStats(&after)
	if perRequest := (after.TotalAlloc - before.TotalAlloc) / n; perRequest > 16<<10 {
		t.Errorf("%d bytes allocated per request; want at most 16 KiB", perRequest)
	}
}
