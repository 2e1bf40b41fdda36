package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"async_server/behaviors"
)

// TestReadmeNamesExist ensures what the README's command-line and behaviors
// tables name exists: each flag is one of the command line's, each behavior
// registered. It checks only that direction: a behavior a reader adds by
// following the tutorial (package behaviors/protocol's Example) needs no
// README line for the suite to pass.
func TestReadmeNamesExist(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	defined := flagNames(t)
	rows := regexp.MustCompile("(?m)^\\| (`-[^|]*)\\|").FindAllStringSubmatch(readme, -1)
	if len(rows) < 5 {
		t.Fatalf("README: %d rows of flags found; want the command-line table", len(rows))
	}
	for _, row := range rows {
		for _, f := range regexp.MustCompile("`-([a-z-]+)`").FindAllStringSubmatch(row[1], -1) {
			if !slices.Contains(defined, f[1]) {
				t.Errorf("README names -%s, which the command line does not define", f[1])
			}
		}
	}
	names := regexp.MustCompile("(?m)^\\| `([a-z]+)`( \\(default\\))? \\|").FindAllStringSubmatch(readme, -1)
	if len(names) < 4 {
		t.Fatalf("README: %d rows of behaviors found; want the behaviors table", len(names))
	}
	for _, n := range names {
		if !slices.Contains(behaviors.Names(), n[1]) {
			t.Errorf("README's behaviors table names %q, which is not registered (have %s)", n[1], strings.Join(behaviors.Names(), ", "))
		}
	}
}

// flagNames lists the flags the command line defines, from -h's output.
func flagNames(t *testing.T) []string {
	t.Helper()
	var help strings.Builder
	if _, err := parseArgs([]string{"-h"}, &help); err != flag.ErrHelp {
		t.Fatalf("-h: %v", err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(help.String(), -1) {
		names = append(names, m[1])
	}
	if len(names) < 10 {
		t.Fatalf("-h lists %d flags: %q", len(names), help.String())
	}
	return names
}

// TestReadmeListsEveryFuzzTarget ensures the README's fuzz commands name every
// fuzz target in the repository, each with the package that holds it, so that
// a target added later is one a reader can find and run.
func TestReadmeListsEveryFuzzTarget(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{} // target: the package path the README gives
	for _, m := range regexp.MustCompile(`(?m)^go test -run '\^\$' -fuzz (Fuzz\w+) .*? (\.\S*)\s`).FindAllStringSubmatch(string(b), -1) {
		listed[m[1]] = filepath.Clean(m[2])
	}
	decl := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(\w+ \*testing\.F\)`)
	found := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || path == "bench"):
			return filepath.SkipDir // bench is a module of its own
		case d.IsDir() || !strings.HasSuffix(path, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			found++
			pkg, ok := listed[m[1]]
			switch dir := filepath.Dir(path); {
			case !ok:
				t.Errorf("README's fuzz commands do not list %s (%s)", m[1], path)
			case pkg != dir:
				t.Errorf("README runs %s in %s; it is in %s", m[1], pkg, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 5 {
		t.Fatalf("found %d fuzz targets; want the repository's", found)
	}
}
