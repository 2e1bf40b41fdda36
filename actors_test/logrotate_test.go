package actors_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"async_server/actors"
)

// Log rotation (-log-max-size, -log-max-backups): the logger actor stays the one
// writer, so a rotation falls between two whole entries and loses none.

// rotPad makes each numbered line about 400 bytes, so that a few megabytes of
// log take a few thousand round trips, not tens of thousands.
var rotPad = strings.Repeat("x", 400)

// TestLogRotationKeepsEveryLine ensures that with -log-max-size 1 about 4 MB of
// numbered lines, logged through the logger actor by concurrent connections
// (faulty logs every chunk it receives), end up in the current file and the
// backups, each line exactly once; every line of every file is a whole entry,
// and no file is over 1 MB.
func TestLogRotationKeepsEveryLine(t *testing.T) {
	const clients, each = 8, 1000 // 8 000 entries of about 520 bytes
	s := startFaulty(t, func(cfg *actors.Config) { cfg.Log.MaxSize = 1 })
	sendNumbered(t, s, clients, each)
	s.stop(t) // Done: every entry is written (TestLogCompleteAfterDone)

	files := logFiles(t, s.LogPath)
	if len(files) < 4 {
		t.Fatalf("log files = %q; want the current one and at least 3 backups", files)
	}
	received := map[string]string{} // by conn: the bytes it logged, in order
	for _, path := range files {
		for i, l := range readLogFile(t, path) {
			if l["msg"] == "faulty received" {
				received[l["conn"]] += l["data"]
			} else if l == nil {
				t.Errorf("%s line %d is not a whole entry", filepath.Base(path), i+1)
			}
		}
	}
	seen := make([]int, clients*each)
	for conn, data := range received {
		for _, line := range strings.Split(strings.TrimSuffix(data, "\n"), "\n") {
			var n int
			if _, err := fmt.Sscanf(line, "line %d", &n); err != nil || n < 0 || n >= len(seen) ||
				line != numbered(n) {
				t.Fatalf("%s logged %q; want a numbered line", conn, line)
			}
			seen[n]++
		}
	}
	var wrong []string
	for n, k := range seen {
		if k != 1 {
			wrong = append(wrong, fmt.Sprintf("line %d %d times", n, k))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d of %d lines are not in the log exactly once: %s", len(wrong), len(seen),
			strings.Join(wrong[:min(len(wrong), 10)], ", "))
	}
}

// TestLogRotationKeepsBackups ensures -log-max-backups 2 leaves the current
// file and the two newest backups once the server has rotated several times
// (lumberjack removes the older ones on a goroutine of its own, so the test
// waits for it).
func TestLogRotationKeepsBackups(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) { cfg.Log.MaxSize, cfg.Log.MaxBackups = 1, 2 })
	sendNumbered(t, s, 8, 1000) // about 4 MB: 4 rotations
	s.stop(t)
	var files []string
	waitFor(t, "two backups", func() bool {
		files = logFiles(t, s.LogPath)
		return len(files) == 3
	})
	// The newest entry is in the current file; the first file, which held the
	// first entry ("listening"), is gone.
	last := readLogFile(t, files[2])
	if got := last[len(last)-1]["msg"]; got != "shutdown report" {
		t.Errorf("the current file ends with %q; want the shutdown report", got)
	}
	for _, path := range files {
		for _, l := range readLogFile(t, path) {
			if l["msg"] == "listening" {
				t.Errorf("%s holds the first entry (listening); want the oldest backups removed", filepath.Base(path))
			}
		}
	}
}

func numbered(n int) string { return fmt.Sprintf("line %05d %s", n, rotPad) }

// sendNumbered has clients connections send each numbered lines, one at a time
// (each waits for its reply, so each is one chunk, one entry), concurrently.
func sendNumbered(t testing.TB, s *testServer, clients, each int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		lc := s.dialLines(t)
		wg.Go(func() {
			for i := range each {
				line := numbered(c*each + i)
				if _, err := fmt.Fprintf(lc, "%s\n", line); err != nil {
					errs <- err
					return
				}
				got, err := lc.r.ReadString('\n')
				if want := fmt.Sprintf("count %d %s\n", i+1, line); err != nil || got != want {
					errs <- fmt.Errorf("client %d read %.40q (%v); want %.40q", c, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// logFiles returns the backups of the log at path (lumberjack names them
// NAME-TIMESTAMP.EXT, UTC to the millisecond, so by name is oldest first) and
// then path itself.
func logFiles(t testing.TB, path string) []string {
	t.Helper()
	ext := filepath.Ext(path)
	backups, err := filepath.Glob(strings.TrimSuffix(path, ext) + "-*" + ext)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(backups)
	return append(backups, path)
}

// readLogFile returns the entries of one text log file, nil for a line that is
// not a whole entry, and fails the test if the file is over 1 MB.
func readLogFile(t testing.TB, path string) []logLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 1<<20 {
		t.Errorf("%s is %d bytes; want at most 1 MB", filepath.Base(path), len(b))
	}
	var lines []logLine
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		l := parseLogLine(line)
		if l["time"] == "" || l["level"] == "" || l["msg"] == "" {
			l = nil
		}
		lines = append(lines, l)
	}
	return lines
}
