//go:build !unix

package main

// accessWrite has no access(2) to ask here: a log file that cannot be
// written is found when the logger opens it (exit 1).
func accessWrite(path string, dir bool) error { return nil }
