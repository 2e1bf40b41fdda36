package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// checkLogAccess refuses a -log-file the server may not write: an existing
// file it cannot write, or a new one in a directory it cannot create files
// in. logs.Config.Validate refuses a missing directory or a directory for the
// file as a bad command line; permission denied surfaced only when the
// logger opened the file, as a failed start (exit 1, no -h hint). It is a
// command-line problem as they are. Nothing is created or opened: the check
// asks the kernel (access(2)), so a FIFO does not block and no empty log is
// left behind by a command line refused later.
func checkLogAccess(path string) error {
	if path == "-" || path == "" {
		return nil
	}
	err := accessWrite(path, false)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("-log-file: %s: cannot write it: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := accessWrite(dir, true); err != nil {
		return fmt.Errorf("-log-file: %s: cannot create it in %s: %w", path, dir, err)
	}
	return nil
}
