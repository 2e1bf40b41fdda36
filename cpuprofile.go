package main

// -cpuprofile: a CPU profile of the whole run, for go tool pprof (or for a
// profile-guided build: docs/benchmarks.md has what one measured here).

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile starts writing a CPU profile of the process to path ("": no
// profile) and returns the func that finishes it; it says why on stderr and
// returns false when it cannot.
func startProfile(path string, stderr io.Writer) (stop func(), ok bool) {
	if path == "" {
		return func() {}, true
	}
	f, err := os.Create(path)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "async_server: -cpuprofile: %v\n", err)
		return nil, false
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "async_server: -cpuprofile: %v\n", err)
		}
	}, true
}
