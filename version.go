package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version describes this build in one line, from the build info the go
// command records: the module's version ("(devel)" for a build from a
// checkout; go install async_server@VERSION would record VERSION), the commit
// and whether the tree had uncommitted changes (go build records both in a
// git checkout), and the Go version and platform.
func version() string {
	parts := []string{"async_server"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return strings.Join(append(parts, "(no build info)", runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH), " ")
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	parts = append(parts, v)
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += "+modified"
		}
		parts = append(parts, "commit "+rev)
	}
	return strings.Join(append(parts, info.GoVersion, runtime.GOOS+"/"+runtime.GOARCH), " ")
}
