package actors_test

// Command-line tests of the real binary that need no clients: bad ports, bad
// flags, a port in use, -h. TestCLI (cli_test.go) runs them.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"async_server/actors"
	"async_server/behaviors/web"
)

// testCLIBadPort ensures an invalid port exits 2 with a message on stderr that
// names the value, and that nothing starts: no ready line, no log file.
func testCLIBadPort(t *testing.T, bin string) {
	for _, port := range []string{"abc", "70000", "-1"} {
		p := cliStart(t, bin, port)
		if code := p.wait(t, waitTimeout); code != 2 {
			t.Errorf("port %q: exit code %d; want 2", port, code)
		}
		if want := fmt.Sprintf("invalid port %q", port); !strings.Contains(p.stderr.String(), want) {
			t.Errorf("port %q: stderr = %q; want it to contain %q", port, p.stderr.String(), want)
		}
		if out := p.stdout.String(); out != "" {
			t.Errorf("port %q: stdout = %q; want nothing", port, out)
		}
		if _, err := os.Stat(p.logPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("port %q: log file exists (stat: %v); want nothing started", port, err)
		}
	}
}

// testCLIPortInUse ensures a port that is taken exits 1 with a clear message on
// stderr, no ready line, and a "cannot listen" entry in the log.
func testCLIPortInUse(t *testing.T, bin string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	p := cliStart(t, bin, port)
	if code := p.wait(t, waitTimeout); code != 1 {
		t.Errorf("exit code %d; want 1; stderr:\n%s", code, p.stderr.String())
	}
	if want := "cannot listen on " + addr; !containsAll(p.stderr.String(), want, "address already in use") {
		t.Errorf("stderr = %q; want it to contain %q and the cause", p.stderr.String(), want)
	}
	if out := p.stdout.String(); strings.Contains(out, "listening on") {
		t.Errorf("stdout = %q; want no ready line", out)
	}
	found := false
	for _, line := range strings.Split(p.log(t), "\n") {
		found = found || containsAll(line, `msg="cannot listen"`, addr, "address already in use")
	}
	if !found {
		t.Errorf("log lacks a \"cannot listen\" entry with the address and cause:\n%s", p.log(t))
	}
}

// testCLIBadFlags ensures a bad flag exits 2 with the error once on stderr and a
// one-line hint (not the whole usage), and that nothing starts.
func testCLIBadFlags(t *testing.T, bin string) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-max-body", "x"}, `invalid value "x" for flag -max-body`},
		{[]string{"-log-format", "xml"}, `-log-format: "xml"`},
		{[]string{"-behavior", "echo", "-max-body", "5"}, "-max-body is a flag of -behavior http; it does nothing with -behavior echo"},
		{[]string{"-idle-timeout", "-1s"}, "-idle-timeout: -1s is negative"},
		{[]string{"-at-limit", "drop"}, `-at-limit: "drop" is not queue or reject`},
		{[]string{"-port", "+18002"}, `invalid port "+18002": want a number from 0 to 65535, digits only`},
		{[]string{"+18002"}, `invalid port "+18002"`},
		{[]string{"-idle-timeout", "5"}, `invalid value "5" for flag -idle-timeout: missing unit in duration "5" (a duration needs a unit: 5s`},
		{[]string{"-listen", "echo=127.0.0.1:0,foo"}, `invalid value "echo=127.0.0.1:0,foo" for flag -listen: unknown suffix ",foo"`},
		{[]string{"-listen", "echo=127.0.0.1:0,tls,tls"}, `invalid value "echo=127.0.0.1:0,tls,tls" for flag -listen: ",tls" is given twice`},
		{[]string{"-output-limit", "100", "-output-soft-limit", "1000"}, "-output-soft-limit: 1000 is above -output-limit 100"},
		{[]string{"-log-level", "fatal"}, `-log-level: "fatal" is not error, warn, info, debug or trace`},
		{[]string{"-log-level", "panic"}, `-log-level: "panic" is not`},
		{[]string{"-log-file", "/nonexistent/dir/x.log"}, "-log-file: /nonexistent/dir/x.log: directory /nonexistent/dir does not exist"},
	}
	for _, tt := range tests {
		p := cliStart(t, bin, tt.args...)
		if code := p.wait(t, waitTimeout); code != 2 {
			t.Errorf("%q: exit code %d; want 2", tt.args, code)
		}
		want := "async_server: " + tt.want
		if lines := strings.Split(p.stderr.String(), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], want) ||
			lines[1] != "Run 'async_server -h' for usage." || lines[2] != "" {
			t.Errorf("%q: stderr = %q; want %q... and the hint, nothing else", tt.args, p.stderr.String(), want)
		}
		if out := p.stdout.String(); out != "" {
			t.Errorf("%q: stdout = %q; want nothing", tt.args, out)
		}
		if _, err := os.Stat(p.logPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%q: log file exists (stat: %v); want nothing started", tt.args, err)
		}
	}
}

// testCLIHelp ensures -h exits 0 and lists every flag of the config with its
// default, as the command line contract promises, on standard output (so that
// "async_server -h | less" works) with nothing on standard error.
func testCLIHelp(t *testing.T, bin string) {
	p := cliStart(t, bin, "-h")
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("-h: exit code %d; want 0", code)
	}
	if errOut := p.stderr.String(); errOut != "" {
		t.Errorf("-h: stderr = %q; want nothing", errOut)
	}
	help := p.stdout.String()
	// PrintDefaults writes each flag as "  -name type" followed by indented lines.
	flags := map[string]string{}
	var name string
	flagLine := regexp.MustCompile(`^  -([a-z-]+)`)
	for _, line := range strings.Split(help, "\n") {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			name = m[1]
		}
		if name != "" {
			flags[name] += line + "\n"
		}
	}
	cfg := actors.DefaultConfig()
	want := map[string]string{
		"port":             strconv.Quote(strconv.Itoa(cfg.Port)),
		"host":             strconv.Quote(cfg.Host),
		"behavior":         strconv.Quote(cfg.Behavior),
		"log-file":         strconv.Quote(cfg.Log.File),
		"log-format":       strconv.Quote(cfg.Log.Format),
		"log-level":        strconv.Quote(cfg.Log.Level),
		"max-conns":        fmt.Sprint(cfg.MaxConns),
		"at-limit":         strconv.Quote(cfg.AtLimit),
		"idle-timeout":     cfg.IdleTimeout.String(),
		"write-timeout":    cfg.WriteTimeout.String(),
		"shutdown-timeout": cfg.ShutdownTimeout.String(),
		"max-body":         fmt.Sprint(web.DefaultMaxBody),
		"max-header-bytes": fmt.Sprint(web.DefaultMaxHeaderBytes),
		"header-timeout":   web.DefaultHeaderTimeout.String(),
	}
	for flag, def := range want {
		text, ok := flags[flag]
		switch {
		case !ok:
			t.Errorf("-h does not list -%s:\n%s", flag, help)
		case !strings.Contains(text, "(default "+def+")"):
			t.Errorf("-h lists -%s as %q; want its default (default %s)", flag, text, def)
		}
	}
}
