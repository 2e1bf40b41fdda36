package actors_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// testCLICPUProfile ensures -cpuprofile leaves a CPU profile of the run once
// the process has exited after CTRL+C: gzip-compressed protocol buffers, as
// go tool pprof reads them, naming the binary it profiled.
func testCLICPUProfile(t *testing.T, bin string) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	p := cliStart(t, bin, "-behavior", "echo", "-cpuprofile", path, "0")
	addr := p.waitReady(t)
	c, err := dialLineClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		c.roundTrip(t, "profiled", "profiled")
	}
	c.Close()
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Fatalf("exit code %d; want 0; stderr:\n%s", code, p.stderr.String())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the profile (%d bytes) is not gzip data: %v", len(raw), err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the profile's gzip stream ends badly: %v", err)
	}
	if name := filepath.Base(bin); !bytes.Contains(body, []byte(name)) {
		t.Errorf("the profile (%d bytes unpacked) does not name the binary %q it profiled", len(body), name)
	}
}

// testCLICPUProfileBadPath ensures a -cpuprofile that cannot be created stops
// the start with exit 1 and a message naming the flag, before anything
// listens.
func testCLICPUProfileBadPath(t *testing.T, bin string) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "cpu.prof")
	p := cliStart(t, bin, "-behavior", "echo", "-cpuprofile", missing, "0")
	if code := p.wait(t, waitTimeout); code != 1 {
		t.Errorf("exit code %d; want 1", code)
	}
	if want := "-cpuprofile: open " + missing; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr = %q; want it to contain %q", p.stderr.String(), want)
	}
	if out := p.stdout.String(); out != "" {
		t.Errorf("stdout = %q; want no ready line", out)
	}
}
