package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenWithoutRotation ensures MaxSize 0 is the log as it always was: the
// file itself, appended to.
func TestOpenWithoutRotation(t *testing.T) {
	_, f, err := Open(Config{File: filepath.Join(t.TempDir(), "server.log"), Format: "text", Level: "info"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.(*os.File); !ok {
		t.Errorf("Open with MaxSize 0 = %T; want *os.File", f)
	}
}

// TestOpenRotation ensures the settings reach lumberjack (compression off, so
// every backup stays readable), an existing file is appended to, a rotation
// moves it to NAME-TIMESTAMP.EXT with the file's mode kept, and Sync works.
func TestOpenRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.log")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, f, err := Open(Config{File: path, Format: "text", Level: "info", MaxSize: 3, MaxBackups: 2})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := f.(*rotating)
	if !ok {
		t.Fatalf("Open with MaxSize 3 = %T; want *rotating", f)
	}
	type settings struct {
		Filename                    string
		MaxSize, MaxBackups, MaxAge int
		Compress, LocalTime         bool
	}
	l := r.Logger
	got := settings{l.Filename, l.MaxSize, l.MaxBackups, l.MaxAge, l.Compress, l.LocalTime}
	if want := (settings{Filename: path, MaxSize: 3, MaxBackups: 2}); got != want {
		t.Errorf("lumberjack settings = %+v; want %+v", got, want)
	}
	write(t, f, "one\n")
	if err := r.Rotate(); err != nil {
		t.Fatal(err)
	}
	write(t, f, "two\n")
	if err := f.Sync(); err != nil {
		t.Errorf("Sync() = %v; want nil", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	backups, _ := filepath.Glob(filepath.Join(dir, "server-*.log"))
	if len(backups) != 1 {
		t.Fatalf("backups = %q; want one server-TIMESTAMP.log", backups)
	}
	for _, c := range []struct{ path, want string }{{backups[0], "old\none\n"}, {path, "two\n"}} {
		b, err := os.ReadFile(c.path)
		if got := string(b); err != nil || got != c.want {
			t.Errorf("%s = %q (%v); want %q", filepath.Base(c.path), got, err, c.want)
		}
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o644 {
			t.Errorf("%s mode = %v; want 0644", filepath.Base(c.path), got)
		}
	}
}

// TestOpenRotationBadPath ensures a log file that cannot be opened fails at
// Open, naming -log-file, with rotation as without.
func TestOpenRotationBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "server.log")
	for _, size := range []int{0, 1} {
		_, _, err := Open(Config{File: path, Format: "text", Level: "info", MaxSize: size})
		if err == nil || !strings.HasPrefix(err.Error(), "-log-file: ") {
			t.Errorf("Open(MaxSize %d) of a path in a missing directory = %v; want a log-file: error", size, err)
		}
	}
}

func write(t testing.TB, f File, s string) {
	t.Helper()
	if _, err := f.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}
