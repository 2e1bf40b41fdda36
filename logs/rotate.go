package logs

import (
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/natefinch/lumberjack.v2"
)

// File is the open log file as the logger actor and root see it: an *os.File,
// or with rotation a lumberjack.Logger that syncs by path. Root closes it once
// the last entry is written; the logger actor syncs it as it stops.
type File interface {
	io.Writer
	Sync() error
	Close() error
}

var (
	_ File = (*os.File)(nil)
	_ File = (*rotating)(nil)
)

// ErrUnwritable is in Open's error when the log file cannot be opened for
// appending or refuses the first write: main exits 2 on it, as on a -log-file
// in a missing directory.
var ErrUnwritable = errors.New("cannot be written")

// validateRotation reports rotation settings that cannot work, or would be
// accepted and silently do nothing, by their command-line name.
func (c Config) validateRotation() error {
	switch {
	case c.MaxSize < 0:
		return fmt.Errorf("-log-max-size: %d is negative", c.MaxSize)
	case c.MaxBackups < 0:
		return fmt.Errorf("-log-max-backups: %d is negative", c.MaxBackups)
	case c.File == "-" && c.MaxSize > 0:
		return fmt.Errorf("-log-max-size: %d: standard error (-log-file -) cannot be rotated", c.MaxSize)
	case c.File == "-" && c.MaxBackups > 0:
		return fmt.Errorf("-log-max-backups: %d: standard error (-log-file -) cannot be rotated", c.MaxBackups)
	case c.MaxBackups > 0 && c.MaxSize == 0:
		return fmt.Errorf("-log-max-backups: %d does nothing without -log-max-size (0: never rotate)", c.MaxBackups)
	}
	return nil
}

// openFile opens c.File for appending: the file itself, or with c.MaxSize a
// lumberjack.Logger that renames it to NAME-TIMESTAMP.EXT (UTC, to the
// millisecond) when a write would take it past MaxSize megabytes, starts a new
// one, and removes the oldest renamed files past MaxBackups. A log line is a
// few kilobytes at most (cut.go), so no write is ever too big for a file.
//
// A file that cannot be opened, or refuses a write at once, is ErrUnwritable.
//
// With rotation the file is still opened here first, and closed: a path that
// cannot be written fails now, naming -log-file, not at the first entry; and a
// file created here is 0644, which lumberjack keeps for every file after it
// (a file it creates itself would be 0600).
func openFile(c Config) (File, error) {
	f, err := os.OpenFile(c.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("-log-file: %w: %w", ErrUnwritable, err)
	}
	// A write of nothing costs nothing and adds nothing, but the kernel
	// still asks the file: /dev/full, or a /proc file opened by root, open
	// and then refuse every write. Refused now, it is a bad -log-file; a
	// file that fails later (a full disk) is the fallback's (fallback.go).
	if _, err := f.Write(nil); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("-log-file: %w: %w", ErrUnwritable, err)
	}
	if c.MaxSize == 0 {
		return f, nil
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("-log-file: %w", err)
	}
	return &rotating{Logger: &lumberjack.Logger{
		Filename:   c.File,
		MaxSize:    c.MaxSize,
		MaxBackups: c.MaxBackups,
	}}, nil
}

// rotating is a lumberjack.Logger that can be synced. lumberjack keeps its
// file to itself, so Sync opens the current file by name and syncs that: fsync
// writes out the file's data whichever descriptor wrote it. It is called when
// the logger actor stops, so no rotation races it.
//
// lumberjack v2.2.1's Close closes the file but leaves its "mill" goroutine
// (which removes old backups) blocked for ever: one goroutine per rotating log
// opened, natefinch/lumberjack#56, open upstream. internal/leakcheck knows it.
type rotating struct {
	*lumberjack.Logger
}

// Sync syncs the current log file.
func (r *rotating) Sync() error {
	f, err := os.Open(r.Filename)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
