package actors_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// This file is the http tests' harness: a server running the http behavior, a Go
// http.Client bound to it, and a raw-socket client that speaks HTTP by hand for
// what http.Client will not send (pipelining, malformed requests).

// startHTTP starts a server running the http behavior with the command line's
// defaults; configure, if not nil, adjusts the config after that.
func startHTTP(t testing.TB, configure func(*actors.Config)) *testServer {
	t.Helper()
	return startBehavior(t, "http", func(cfg *actors.Config) {
		cfg.Options.HTTP = web.DefaultOptions()
		if configure != nil {
			configure(cfg)
		}
	})
}

// url is the address of path on s.
func (s *testServer) url(path string) string { return "http://" + s.Addr + path }

// httpClient returns a keep-alive client whose idle connections are closed when
// the test ends (before the server stops, so goleak sees none of its goroutines).
func httpClient(t testing.TB) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 200, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: waitTimeout}
}

// httpGet does a GET (or method) with http.Client and returns the response with its
// body read.
func httpGet(t testing.TB, c *http.Client, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp, string(body)
}

// rawClient is a connection that speaks HTTP by hand.
type rawClient struct {
	net.Conn
	r *bufio.Reader
}

func (s *testServer) dialRaw(t testing.TB) *rawClient {
	t.Helper()
	c := s.dial(t)
	return &rawClient{Conn: c, r: bufio.NewReader(c)}
}

// send writes raw bytes.
func (c *rawClient) send(t testing.TB, raw string) {
	t.Helper()
	_ = c.SetWriteDeadline(time.Now().Add(waitTimeout))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatalf("sending %q: %v", raw, err)
	}
}

// response reads one response to a request with method, body included.
func (c *rawClient) response(t testing.TB, method string) (*http.Response, string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading a response body: %v", err)
	}
	return resp, string(body)
}

// expectEOF asserts that the server closes the connection with nothing more.
func (c *rawClient) expectEOF(t testing.TB) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	rest, err := io.ReadAll(c.r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", waitTimeout)
	}
	if len(rest) > 0 {
		t.Fatalf("read %q; want the connection closed", rest)
	}
}

// httpReq builds a raw request from lines joined by CRLF, ending with a blank line.
func httpReq(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n\r\n" }

// writeSiteFile writes a file under dir, making its directories.
func writeSiteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
