package logs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// fullDisk is a log file on a disk that fills: it takes room bytes, writes
// what part of an entry still fits, and then fails with ENOSPC, as a write(2)
// does.
type fullDisk struct {
	buf   bytes.Buffer
	room  int
	tries int // Write calls
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.tries++
	n := min(len(p), d.room)
	d.buf.Write(p[:n])
	d.room -= n
	if n < len(p) {
		return n, fmt.Errorf("write server.log: %w", syscall.ENOSPC)
	}
	return n, nil
}

// wholeLines counts each line of s by its msg.
func wholeLines(s string, counts map[string]int) {
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "msg="); i >= 0 && strings.HasPrefix(line, "level=") {
			counts[line[i:]]++
		}
	}
}

// TestFallbackFullDisk ensures that once the log file fails (in the middle of
// an entry), no entry is lost: each is whole exactly once, in the file or on
// standard error, in the log's format; standard error says once why the log
// is there, holds no error line per entry, and the file is not tried again
// before retryEvery; once the file takes writes again the log goes back to
// it, on a line of its own, and standard error says so once.
func TestFallbackFullDisk(t *testing.T) {
	disk := &fullDisk{room: 1000}
	var stderr bytes.Buffer
	clock := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	fb := newFallback(disk, &stderr, "server.log")
	fb.now = func() time.Time { return clock }
	lg := logrus.New()
	lg.SetFormatter(&logrus.TextFormatter{DisableColors: true, DisableTimestamp: true})
	lg.SetOutput(fb)

	const n = 100
	for i := range n {
		lg.WithField("i", i).Info("entry")
	}
	clock = clock.Add(retryEvery - time.Nanosecond)
	lg.Warn("shutdown report")
	triesFailing := disk.tries

	counts := map[string]int{}
	wholeLines(disk.buf.String(), counts)
	wholeLines(stderr.String(), counts)
	for i := range n {
		if c := counts[fmt.Sprintf("msg=entry i=%d", i)]; c != 1 {
			t.Errorf("entry i=%d is whole %d times in the file and on standard error; want once", i, c)
		}
	}
	if c := counts["msg=\"shutdown report\""]; c != 1 {
		t.Errorf("the shutdown report is whole %d times; want once", c)
	}
	if got := strings.Count(stderr.String(), "log file server.log unwritable: write server.log: no space left on device; writing the log to standard error"); got != 1 {
		t.Errorf("standard error says the file is unwritable %d times; want once:\n%s", got, stderr.String())
	}
	if other := strings.Count(stderr.String(), "\n") - strings.Count(stderr.String(), "level="); other != 1 {
		t.Errorf("standard error has %d lines beside its entries; want one, the notice:\n%s", other, stderr.String())
	}
	if triesFailing > 1+(1000/len("level=info msg=entry i=00\n"))+1 {
		t.Errorf("the failing file was tried %d times before retryEvery passed; want once past the entries it took", triesFailing)
	}

	disk.room = 1 << 20 // room made
	clock = clock.Add(time.Nanosecond)
	lg.WithField("i", n).Info("entry")
	lg.WithField("i", n+1).Info("entry")
	file := disk.buf.String()
	if !strings.HasSuffix(file, "\nlevel=info msg=entry i=100\nlevel=info msg=entry i=101\n") {
		t.Errorf("after the disk has room again the file ends %q; want the later entries, each on a line of its own", file[max(0, len(file)-80):])
	}
	if got := strings.Count(stderr.String(), "log file server.log writable again"); got != 1 {
		t.Errorf("standard error says the file is writable again %d times; want once:\n%s", got, stderr.String())
	}
	if strings.Contains(stderr.String(), "i=100") {
		t.Errorf("an entry went to standard error after the file took writes again:\n%s", stderr.String())
	}
}

// TestOpenUnwritable ensures a log file that opens but refuses every write
// (/dev/full) is refused at Open as ErrUnwritable, naming -log-file, with
// rotation as without, instead of a server that logs nothing.
func TestOpenUnwritable(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip(err)
	}
	for _, size := range []int{0, 1} {
		_, f, err := Open(Config{File: "/dev/full", Format: "text", Level: "info", MaxSize: size})
		if err == nil {
			f.Close()
		}
		if !errors.Is(err, ErrUnwritable) || !strings.HasPrefix(err.Error(), "-log-file: ") || !strings.Contains(err.Error(), "no space left") {
			t.Errorf("Open(/dev/full, MaxSize %d) = %v; want -log-file: ... ErrUnwritable", size, err)
		}
	}
}
