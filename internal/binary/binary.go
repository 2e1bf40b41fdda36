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
	"testing"
)

// Build builds the module's main package into a directory removed when tb
// ends, with the race detector if race is set, and returns the binary's
// path. It skips tb under -short, and where there is no module to build.
func Build(tb testing.TB, race bool) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds and runs the binary")
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(gomod))
	if err != nil || mod == "" || mod == os.DevNull {
		tb.Skipf("no Go module to build the binary from (go env GOMOD: %q, %v)", gomod, err)
	}
	bin := filepath.Join(tb.TempDir(), "async_server")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = filepath.Dir(mod)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
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
