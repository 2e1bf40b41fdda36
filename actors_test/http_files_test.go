package actors_test

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"async_server/actors"
)

// TestHTTPPathTraversal ensures no request reaches a file outside -root: not by
// "..", nor its percent-encodings, nor "//", nor a symlink pointing outside; while
// a symlink that stays inside the root still works.
func TestHTTPPathTraversal(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "site")
	writeSiteFile(t, root, "index.html", "inside")
	writeSiteFile(t, root, "sub/page.txt", "page")
	writeSiteFile(t, tmp, "secret.txt", "SECRET")
	for link, target := range map[string]string{
		"out.txt": "../secret.txt", "outdir": "..", "abs.txt": filepath.Join(tmp, "secret.txt"), "in.txt": "index.html",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	s := startHTTP(t, func(cfg *actors.Config) { cfg.Options.HTTP.Root = root })
	fetch := func(path string) (int, string) {
		c := s.dialRaw(t)
		c.send(t, httpReq("GET "+path+" HTTP/1.1", "Host: x", "Connection: close"))
		resp, body := c.response(t, "GET")
		return resp.StatusCode, body
	}
	if status, body := fetch("/in.txt"); status != 200 || body != "inside" {
		t.Fatalf("a symlink inside the root: %d %q; want 200 inside", status, body)
	}
	for _, path := range []string{
		"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
		"/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "//../secret.txt", "//secret.txt",
		"/..\\secret.txt", "/out.txt", "/outdir/secret.txt", "/abs.txt", "/outdir/",
	} {
		status, body := fetch(path)
		t.Logf("GET %s = %d", path, status)
		if status == 200 || strings.Contains(body, "SECRET") || strings.Contains(body, "secret.txt") {
			t.Errorf("GET %s = %d %q; want it refused", path, status, body)
		}
	}
}

// TestHTTPLargeFile ensures a 64 MiB file arrives whole (by sha256), streamed:
// the process allocates far less than the file's size while serving it.
func TestHTTPLargeFile(t *testing.T) {
	const size = 64 << 20
	dir := t.TempDir()
	want := writeRandomFile(t, filepath.Join(dir, "big.bin"), size)
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.Options.HTTP.Root = dir
		cfg.Log.Level = "info"
	})
	c := httpClient(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := c.Get(s.url("/big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	runtime.ReadMemStats(&after)
	if err != nil || n != size || resp.ContentLength != size {
		t.Fatalf("read %d of %d bytes (Content-Length %d): %v", n, size, resp.ContentLength, err)
	}
	if got := [32]byte(h.Sum(nil)); got != want {
		t.Fatalf("sha256 differs from the file's")
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("serving %d MiB allocated %d KiB in the whole process", size>>20, alloc>>10)
	if alloc > size/8 {
		t.Errorf("serving %d MiB allocated %d MiB; want it streamed, not buffered", size>>20, alloc>>20)
	}
}

// TestHTTPSlowReaderTimesOut ensures a client that stops reading a large
// response is closed by the write timeout (Timeout), not buffered for.
func TestHTTPSlowReaderTimesOut(t *testing.T) {
	dir := t.TempDir()
	writeRandomFile(t, filepath.Join(dir, "big.bin"), 64<<20)
	s := startHTTP(t, func(cfg *actors.Config) {
		cfg.Options.HTTP.Root = dir
		cfg.WriteTimeout = 200 * time.Millisecond
	})
	c := s.dialRaw(t)
	c.send(t, httpReq("GET /big.bin HTTP/1.1", "Host: x")) // and never read
	s.waitLog(t, "supervision decision", "category=Timeout", "directive=Stop")
}

// writeRandomFile writes size pseudo-random bytes to path and returns their sha256.
func writeRandomFile(t testing.TB, path string, size int) [32]byte {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	rng := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(io.MultiWriter(f, h), rng, int64(size)); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}
