package logs

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// retryEvery is how long the log stays on standard error after a write to
// the file failed before the file is tried again. A full disk or a log
// directory made read-only is an operator's to fix, in minutes, not
// microseconds: one attempt every few seconds notices the fix soon enough,
// and costs a failing lumberjack (which reopens and renames the file on each
// attempt) next to nothing.
const retryEvery = 5 * time.Second

// fallback is the log file's writer as logrus sees it: each Write is one
// whole formatted entry (logrus writes an entry in one call, under its lock).
// When a write to the file fails, that entry and every later one go to
// standard error instead, in the same format, until the file takes a write
// again; each change of course is said once on standard error (a plain
// line, not an entry). So no entry is lost to a full disk or a file that
// can no longer be renamed, the shutdown report included, and standard error
// gets the entries and two lines per outage, never an error line per entry
// (logrus's own fallback writes one and drops the entry).
type fallback struct {
	file   io.Writer
	stderr io.Writer
	name   string           // the file's path, for the notices
	now    func() time.Time // time.Now; tests step it
	retry  time.Duration    // retryEvery; tests shorten it

	mu     sync.Mutex // serializes writes (logrus does too; the notices need it)
	failed bool       // the last write to file failed: entries go to stderr
	next   time.Time  // while failed: the file is tried again from then on
	torn   bool       // while failed: the failed write left part of an entry in the file
	missed int        // while failed: entries written to stderr instead of the file
}

func newFallback(file, stderr io.Writer, name string) *fallback {
	return &fallback{file: file, stderr: stderr, name: name, now: time.Now, retry: retryEvery}
}

// Write writes the entry p to the file, or, while the file fails, to
// standard error. It reports an error only when standard error fails too.
func (f *fallback) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.failed || !f.now().Before(f.next) {
		if f.writeFile(p) {
			return len(p), nil
		}
	}
	f.missed++
	return f.stderr.Write(p)
}

// writeFile tries the file and reports whether the entry is in it, saying on
// standard error when the file fails first and when it works again.
func (f *fallback) writeFile(p []byte) bool {
	if f.failed && f.torn {
		// The failed write may have left part of an entry: end its line, so
		// that the next entry starts one of its own.
		if _, err := f.file.Write([]byte("\n")); err != nil {
			f.next = f.now().Add(f.retry)
			return false
		}
		f.torn = false
	}
	n, err := f.file.Write(p)
	if err == nil {
		if f.failed {
			fmt.Fprintf(f.stderr, "async_server: log file %s writable again; %d entries were written to standard error instead\n", f.name, f.missed)
			f.failed, f.missed = false, 0
		}
		return true
	}
	if !f.failed {
		fmt.Fprintf(f.stderr, "async_server: log file %s unwritable: %v; writing the log to standard error, trying the file again every %v\n", f.name, err, f.retry)
		f.failed = true
	}
	f.torn = f.torn || n > 0
	f.next = f.now().Add(f.retry)
	return false
}
