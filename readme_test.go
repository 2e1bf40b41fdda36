package main

import (
	"flag"
	"os"
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
