package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// TestRunVersion ensures -version prints the program's version from its build
// info (the Go version at least, which every build records) on standard
// output, and exits 0 without starting a server.
func TestRunVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-version"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("-version: exit %d; want %d (stderr %q)", code, exitOK, stderr.String())
	}
	out := stdout.String()
	if !strings.HasPrefix(out, "async_server ") || !strings.Contains(out, runtime.Version()) || strings.Count(out, "\n") != 1 {
		t.Fatalf("-version printed %q; want one line: async_server, its version and %s", out, runtime.Version())
	}
	if strings.Contains(out, "listening") || stderr.Len() > 0 {
		t.Fatalf("-version started something: stdout %q, stderr %q", out, stderr.String())
	}
}
