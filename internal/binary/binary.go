// Package binary builds the server's binary for the tests that run it as a
// process (the command-line tests in actors_test, the cluster's nodes in
// cluster/clustertest): one way to build it, with or without the race
// detector, skipped under -short.
package binary

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// built holds the binaries this test process has built, by race setting, in
// one directory that Remove deletes: a package's tests link each binary once
// (a link takes seconds, more under -race) however many tests run it.
var built struct {
	sync.Mutex
	dir  string          // created by the first Build; "" after Remove
	bins map[bool]string // race setting -> binary in dir
}

// Build returns the module's main package built with the race detector if
// race is set, building it on the first call for that setting and sharing it
// with every later call of this test process. The package's TestMain must
// call Remove after its tests (leakcheck.VerifyTestMain's cleanups), which
// deletes it. Build skips tb under -short, and where there is no module to
// build.
func Build(tb testing.TB, race bool) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds and runs the binary")
	}
	built.Lock() // held while building: a parallel test waits for the same build
	defer built.Unlock()
	if bin, ok := built.bins[race]; ok {
		return bin
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(gomod))
	if err != nil || mod == "" || mod == os.DevNull {
		tb.Skipf("no Go module to build the binary from (go env GOMOD: %q, %v)", gomod, err)
	}
	if built.dir == "" {
		dir, err := os.MkdirTemp("", "async_server-bin-")
		if err != nil {
			tb.Fatalf("a directory for the binary: %v", err)
		}
		built.dir, built.bins = dir, map[bool]string{}
	}
	name := "async_server"
	args := []string{"build"}
	if race {
		name += "-race"
		args = append(args, "-race")
	}
	bin := filepath.Join(built.dir, name)
	args = append(args, "-o", bin, ".")
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Dir(mod)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	built.bins[race] = bin
	return bin
}

// Remove deletes the binaries Build made. Call it once the package's tests
// are done: pass it to leakcheck.VerifyTestMain.
func Remove() {
	built.Lock()
	defer built.Unlock()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	built.dir, built.bins = "", nil
}

// RaceBuilt reports whether the running test binary was built with -race:
// a binary built to match is slower, and takes about a second more to exit
// (the race detector's finalizer runs after os.Exit).
func RaceBuilt() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
