package actors_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// TestHTTPDefaultSite ensures the http behavior with no -root serves the
// embedded page: what the server is, its actor tree and supervision table, and
// a pointer to the README.
func TestHTTPDefaultSite(t *testing.T) {
	s := startHTTP(t, nil)
	resp, body := httpGet(t, httpClient(t), "GET", s.url("/"), nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %q; want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"async_server", "acceptor", "conn-1", "Supervision", "Restart", "README.md"} {
		if !strings.Contains(body, want) {
			t.Errorf("the default page lacks %q", want)
		}
	}
}

// TestHTTPKeepAlive ensures http.Client sends many requests over one connection.
func TestHTTPKeepAlive(t *testing.T) {
	s := startHTTP(t, nil)
	c := httpClient(t)
	reused := 0
	for range 5 {
		req, _ := http.NewRequest("GET", s.url("/"), nil)
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
			if i.Reused {
				reused++
			}
		}}
		resp, err := c.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if reused != 4 {
		t.Errorf("%d of 4 later requests reused the connection; want 4", reused)
	}
}

// TestHTTPHead ensures HEAD gets GET's headers and no body.
func TestHTTPHead(t *testing.T) {
	s := startHTTP(t, nil)
	c := httpClient(t)
	_, body := httpGet(t, c, "GET", s.url("/"), nil)
	resp, headBody := httpGet(t, c, "HEAD", s.url("/"), nil)
	if resp.StatusCode != 200 || headBody != "" || resp.ContentLength != int64(len(body)) {
		t.Errorf("HEAD = %d, %d body bytes, Content-Length %d; want 200, none, %d",
			resp.StatusCode, len(headBody), resp.ContentLength, len(body))
	}
}

// TestHTTPRangeAndConditional ensures Range and If-Modified-Since on a file
// under -root, and If-None-Match with a handler that sets an ETag, work as
// net/http's file server and ServeContent make them.
func TestHTTPRangeAndConditional(t *testing.T) {
	dir := t.TempDir()
	p := writeSiteFile(t, dir, "f.txt", "0123456789")
	mod := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
	s := startHTTP(t, func(cfg *actors.Config) { cfg.Options.HTTP.Root = dir })
	c := httpClient(t)
	resp, body := httpGet(t, c, "GET", s.url("/f.txt"), map[string]string{"Range": "bytes=2-5"})
	if resp.StatusCode != http.StatusPartialContent || body != "2345" || resp.Header.Get("Content-Range") != "bytes 2-5/10" {
		t.Errorf("Range: %d %q %q; want 206 \"2345\" bytes 2-5/10", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	resp, _ = httpGet(t, c, "GET", s.url("/f.txt"), map[string]string{"If-Modified-Since": mod.Format(http.TimeFormat)})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d; want 304", resp.StatusCode)
	}

	etag := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = web.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"v1"`)
			http.ServeContent(w, r, "x.txt", mod, strings.NewReader("content"))
		}), web.DefaultOptions())
	})
	resp, _ = httpGet(t, c, "GET", etag.url("/"), map[string]string{"If-None-Match": `"v1"`})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d; want 304", resp.StatusCode)
	}
}

// TestHTTPPipelining ensures requests sent in one write are answered in order on
// one connection, and that an HTTP/1.0 request without keep-alive ends it.
func TestHTTPPipelining(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		writeSiteFile(t, dir, n, "file "+n)
	}
	s := startHTTP(t, func(cfg *actors.Config) { cfg.Options.HTTP.Root = dir })
	c := s.dialRaw(t)
	c.send(t, httpReq("GET /a HTTP/1.1", "Host: x")+httpReq("HEAD /b HTTP/1.1", "Host: x")+
		httpReq("GET /c HTTP/1.1", "Host: x")+httpReq("GET /b HTTP/1.0"))
	for _, want := range []struct{ method, body string }{{"GET", "file a"}, {"HEAD", ""}, {"GET", "file c"}, {"GET", "file b"}} {
		if _, body := c.response(t, want.method); body != want.body {
			t.Fatalf("%s: body %q; want %q", want.method, body, want.body)
		}
	}
	c.expectEOF(t)
}

// TestHTTPOwnHandler ensures a Go user's own handler runs through web.New,
// with request bodies in both framings.
func TestHTTPOwnHandler(t *testing.T) {
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = web.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %d %s", r.Method, r.URL.Path, r.ContentLength, b)
		}), web.DefaultOptions())
	})
	c := httpClient(t)
	resp, err := c.Post(s.url("/up"), "text/plain", strings.NewReader("sized"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "POST /up 5 sized" {
		t.Errorf("sized body: %q", b)
	}
	pr, pw := io.Pipe() // no length: http.Client sends it chunked
	go func() { io.WriteString(pw, "chun"); io.WriteString(pw, "ked"); pw.Close() }()
	resp, err = c.Post(s.url("/up"), "text/plain", pr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "POST /up -1 chunked" {
		t.Errorf("chunked body: %q", b)
	}
}

// TestHTTPCurl ensures curl, where installed, gets the page, reuses the
// connection for a second URL, and gets HEAD and HTTP/1.0 right.
func TestHTTPCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	s := startHTTP(t, nil)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS", "--max-time", "15"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run("-i", s.url("/")); !strings.HasPrefix(out, "HTTP/1.1 200 OK") || !strings.Contains(out, "async_server") {
		t.Errorf("curl -i: %.200q", out)
	}
	if out := run("-v", s.url("/"), s.url("/")); !strings.Contains(out, "Re-using existing connection") {
		t.Errorf("curl did not reuse the connection:\n%s", out)
	}
	if out := run("-I", s.url("/")); !strings.Contains(out, "Content-Length: ") || strings.Contains(out, "<html") {
		t.Errorf("curl -I: %q", out)
	}
	if out := run("-i", "--http1.0", s.url("/nope")); !strings.HasPrefix(out, "HTTP/1.1 404") || !strings.Contains(out, "Connection: close") {
		t.Errorf("curl --http1.0: %q", out)
	}
}
