//go:build unix

package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestStaticFIFO ensures that a FIFO under -root cannot hang the connection
// that asks for it: rootFS opens files with O_NONBLOCK, so the open does not wait
// for a writer, and the file server answers at once (500: a FIFO cannot seek).
// A regular file beside it is served as usual.
func TestStaticFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, release, err := staticHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get("/a.txt"); rec.Code != http.StatusOK || rec.Body.String() != "hello" {
		t.Errorf("GET /a.txt: %d %q; want 200 hello", rec.Code, rec.Body.String())
	}
	done := make(chan int, 1)
	go func() { done <- get("/pipe").Code }()
	select {
	case code := <-done:
		if code == http.StatusOK {
			t.Errorf("GET /pipe: 200; want an error")
		}
	case <-time.After(5 * time.Second):
		// Let the blocked open return so that the goroutine ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("GET /pipe still blocked after 5 s")
	}
}
