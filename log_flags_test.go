package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunLogFileDenied ensures a log file the server may not write, a new one
// in a read-only directory or an existing read-only file, is a bad command
// line as a missing directory is: exit 2 with the error naming the flag and
// the path, and the -h hint, where it was a failed start (exit 1, no hint).
// Root writes them anyway: the test then skips (run it as another user:
// go test -c, then runuser -u nobody -- ./async_server.test -test.run
// TestRunLogFileDenied).
func TestRunLogFileDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write a read-only directory and file")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "old.log")
	if err := os.WriteFile(existing, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) }) // for TempDir's removal
	missing := filepath.Join(dir, "server.log")
	for _, tt := range []struct{ file, want string }{
		{missing, "-log-file: " + missing + ": cannot create it in " + dir + ": permission denied"},
		{existing, "-log-file: " + existing + ": cannot write it: permission denied"},
	} {
		var stdout, stderr bytes.Buffer
		args := []string{"-log-file", tt.file, "0"}
		code := run(args, &stdout, &stderr)
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if code != exitUsage || len(lines) != 2 || !strings.Contains(lines[0], tt.want) || lines[1] != "Run 'async_server -h' for usage." {
			t.Errorf("run(%q) = %d, stderr %q; want %d, %q and the -h hint", args, code, stderr.String(), exitUsage, tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) stdout = %q; want nothing", args, stdout.String())
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("%s was created; want nothing created", missing)
	}
}
