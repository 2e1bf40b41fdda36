package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// TestParseArgs ensures the command line maps onto the config as its contract
// (README, "Command line") says: the port positional or by -port (the same value twice is fine,
// two different ones are not), flags before and after the positional, a bad port
// named in the error, and -h reported as flag.ErrHelp.
func TestParseArgs(t *testing.T) {
	tests := []struct {
		args     []string
		port     int
		behavior string
		err      string // substring of the error; "" means no error
		errIs    error
	}{
		{args: nil, port: 7878},
		{args: []string{"9000"}, port: 9000},
		{args: []string{"0"}, port: 0},
		{args: []string{"65535"}, port: 65535},
		{args: []string{"-port", "9000"}, port: 9000},
		{args: []string{"-port=9000"}, port: 9000},
		{args: []string{"-port", "9000", "9000"}, port: 9000},
		{args: []string{"9000", "-port", "9000"}, port: 9000},
		{args: []string{"-port", "9000", "09000"}, port: 9000}, // the same number
		{args: []string{"-port", "9000", "x"}, err: `invalid port "x"`},
		{args: []string{"-port", "9000", "9001"}, err: "port given twice: -port 9000 and 9001"},
		{args: []string{"9001", "-port", "9000"}, err: "port given twice"},
		{args: []string{"9000", "-behavior", "echo"}, port: 9000, behavior: "echo"},
		{args: []string{"-behavior", "echo", "9000"}, port: 9000, behavior: "echo"},
		{args: []string{"-host", "::1", "9000", "-log-level", "debug"}, port: 9000},
		{args: []string{"--", "9000"}, port: 9000},
		{args: []string{"abc"}, err: `invalid port "abc"`},
		{args: []string{"70000"}, err: `invalid port "70000"`},
		{args: []string{"65536"}, err: `invalid port "65536"`},
		{args: []string{"-1"}, err: `invalid port "-1"`},
		{args: []string{"-1", "-behavior", "echo"}, err: `invalid port "-1"`},
		{args: []string{"-behavior", "echo", "-1"}, err: `invalid port "-1"`},
		{args: []string{"-log-file", "x.log", "-1"}, err: `invalid port "-1"`},
		{args: []string{"-max-conns", "-1"}, err: "-max-conns: -1"},
		{args: []string{"9000", "-max-conns", "-1"}, err: "-max-conns: -1"},
		{args: []string{"-max-conns=-1", "9000"}, err: "-max-conns: -1"},
		{args: []string{"--", "-1"}, err: `invalid port "-1"`},
		{args: []string{""}, err: `invalid port ""`},
		{args: []string{"-port", "abc"}, err: `invalid port "abc"`},
		{args: []string{"-port", "-1"}, err: `invalid port "-1"`},
		{args: []string{"-port", "+18002"}, err: `invalid port "+18002": want a number from 0 to 65535, digits only`},
		{args: []string{"+18002"}, err: `invalid port "+18002"`},
		{args: []string{"-port", "9000", "+9000"}, err: `invalid port "+9000"`},
		{args: []string{" 80"}, err: `invalid port " 80"`},
		{args: []string{"-idle-timeout", "5"}, err: `missing unit in duration "5" (a duration needs a unit: 5s,`},
		{args: []string{"-shutdown-timeout", "1x"}, err: `unknown unit "x" in duration "1x"`},
		{args: []string{"-behavior", "echo", "-header-timeout", "5"}, err: `invalid value "5" for flag -header-timeout: missing unit`},
		{args: []string{"-idle-timeout", "5s"}, port: 7878},
		{args: []string{"-output-limit", "100", "-output-soft-limit", "1000"}, err: "-output-soft-limit: 1000 is above -output-limit 100"},
		{args: []string{"-output-soft-limit", "33554433"}, err: "-output-soft-limit: 33554433 is above -output-limit 33554432"},
		{args: []string{"-output-limit", "100", "-output-soft-limit", "100"}, port: 7878},
		{args: []string{"-output-limit", "0", "-output-soft-limit", "1000"}, port: 7878},
		{args: []string{"-log-level", "fatal"}, err: `-log-level: "fatal" is not error, warn, info, debug or trace`},
		{args: []string{"-log-level", "Panic"}, err: `-log-level: "panic" is not`},
		{args: []string{"-log-level", "TRACE"}, port: 7878},
		{args: []string{"-log-file", "/nonexistent/dir/x.log"}, err: "-log-file: /nonexistent/dir/x.log: directory /nonexistent/dir does not exist"},
		{args: []string{"-log-file", "."}, err: "-log-file: . is a directory"},
		{args: []string{"1", "2"}, err: "too many arguments"},
		{args: []string{"1", "-behavior", "echo", "2"}, err: "too many arguments"},
		{args: []string{"-behavior", "gopher"}, err: `-behavior: unknown behavior "gopher"`},
		{args: []string{"-max-conns", "0"}, err: "-max-conns: 0"},
		{args: []string{"-shutdown-timeout", "-1s"}, err: "-shutdown-timeout:"},
		{args: []string{"-log-format", "xml"}, err: `-log-format: "xml"`},
		{args: []string{"-log-file", "-", "-log-max-size", "1"}, err: "-log-max-size: 1: standard error (-log-file -) cannot be rotated"},
		{args: []string{"-log-max-size", "1", "-log-file", "-"}, err: "-log-max-size: 1: standard error"},
		{args: []string{"-log-file", "-", "-log-max-size", "1", "-log-max-backups", "2"}, err: "-log-max-size: 1: standard error"},
		{args: []string{"-log-file", "-", "-log-max-backups", "2"}, err: "-log-max-backups: 2: standard error"},
		{args: []string{"-log-max-backups", "2"}, err: "-log-max-backups: 2 does nothing without -log-max-size"},
		{args: []string{"-log-max-size", "x"}, err: `invalid value "x" for flag -log-max-size`},
		{args: []string{"-log-max-size", "1", "-log-max-backups", "2"}, port: 7878},
		{args: []string{"-log-file", "-", "-log-max-size", "0"}, port: 7878}, // 0: never rotate, as without the flag
		{args: []string{"-nope"}, err: "flag provided but not defined: -nope"},
		{args: []string{"-log-format", "JSON"}, port: 7878},
		{args: []string{"-at-limit", "drop"}, err: `-at-limit: "drop" is not queue or reject`},
		{args: []string{"-behavior", "ECHO"}, port: 7878, behavior: "echo"},
		{args: []string{"-behavior", "echo", "-max-body", "-1"}, err: "-max-body is a flag of -behavior http; it does nothing with -behavior echo"},
		{args: []string{"-behavior", "echo", "-max-body", "5"}, err: "-max-body is a flag of -behavior http"},
		{args: []string{"-root", ".", "-behavior", "faults"}, err: "-root is a flag of -behavior http; it does nothing with -behavior faults"},
		{args: []string{"-behavior", "echo", "-max-header-bytes", "1"}, err: "-max-header-bytes is a flag of -behavior http"},
		{args: []string{"-behavior", "echo", "-header-timeout=1s"}, err: "-header-timeout is a flag of -behavior http"},
		{args: []string{"-behavior", "http", "-max-body", "5"}, port: 7878, behavior: "http"},
		{args: []string{"-max-body", "x"}, err: `invalid value "x" for flag -max-body`},
		{args: []string{"-h"}, errIs: flag.ErrHelp},
		{args: []string{"9000", "-h"}, errIs: flag.ErrHelp},
	}
	for _, tt := range tests {
		cfg, err := parseArgs(tt.args, io.Discard)
		switch {
		case tt.errIs != nil:
			if !errors.Is(err, tt.errIs) {
				t.Errorf("parseArgs(%q) error = %v; want %v", tt.args, err, tt.errIs)
			}
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseArgs(%q) error = %v; want one containing %q", tt.args, err, tt.err)
			}
		case err != nil:
			t.Errorf("parseArgs(%q) error = %v; want nil", tt.args, err)
		case cfg.Port != tt.port:
			t.Errorf("parseArgs(%q).Port = %d; want %d", tt.args, cfg.Port, tt.port)
		case tt.behavior != "" && cfg.Behavior != tt.behavior:
			t.Errorf("parseArgs(%q).Behavior = %q; want %q", tt.args, cfg.Behavior, tt.behavior)
		}
	}
}

// TestParseArgsZero ensures the one rule for limits: for every size and duration
// flag, 0 is taken as given (it turns the limit off) and a negative value is
// refused with an error naming the flag.
func TestParseArgsZero(t *testing.T) {
	tests := []struct {
		flag     string
		negative string
		get      func(command) int64
	}{
		{"idle-timeout", "-1s", func(c command) int64 { return int64(c.IdleTimeout) }},
		{"write-timeout", "-1s", func(c command) int64 { return int64(c.WriteTimeout) }},
		{"shutdown-timeout", "-1s", func(c command) int64 { return int64(c.ShutdownTimeout) }},
		{"header-timeout", "-1s", func(c command) int64 { return int64(c.Options.HTTP.HeaderTimeout) }},
		{"max-body", "-1", func(c command) int64 { return c.Options.HTTP.MaxBody }},
		{"max-header-bytes", "-1", func(c command) int64 { return int64(c.Options.HTTP.MaxHeaderBytes) }},
		{"keepalive-timeout", "-1s", func(c command) int64 { return int64(c.Options.HTTP.KeepAliveTimeout) }},
		{"min-body-rate", "-1", func(c command) int64 { return c.Options.HTTP.MinBodyRate }},
		{"min-send-rate", "-1", func(c command) int64 { return c.MinSendRate }},
		{"output-limit", "-1", func(c command) int64 { return c.OutputLimit }},
		{"output-soft-limit", "-1", func(c command) int64 { return c.OutputSoftLimit }},
		{"log-max-size", "-1", func(c command) int64 { return int64(c.Log.MaxSize) }},
		{"log-max-backups", "-3", func(c command) int64 { return int64(c.Log.MaxBackups) }},
	}
	for _, tt := range tests {
		cfg, err := parseArgs([]string{"-" + tt.flag, "0"}, io.Discard)
		if err != nil || tt.get(cfg) != 0 {
			t.Errorf("parseArgs(-%s 0) = %d, %v; want 0, nil", tt.flag, tt.get(cfg), err)
		}
		_, err = parseArgs([]string{"-" + tt.flag, tt.negative}, io.Discard)
		if want := tt.flag + ": " + tt.negative + " is negative"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseArgs(-%s %s) error = %v; want one containing %q", tt.flag, tt.negative, err, want)
		}
	}
}

// TestParseArgsNames ensures the name-valued flags take any case, all alike,
// and the config holds the lower-case name.
func TestParseArgsNames(t *testing.T) {
	cfg, err := parseArgs([]string{"-behavior", "Echo", "-log-format", "JSON", "-log-level", "INFO",
		"-at-limit", "Reject"}, io.Discard)
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	got := []string{cfg.Behavior, cfg.Log.Format, cfg.Log.Level, cfg.AtLimit}
	if want := []string{"echo", "json", "info", "reject"}; !slices.Equal(got, want) {
		t.Errorf("parseArgs(Echo, JSON, INFO, Reject) = %q; want %q", got, want)
	}
}

// TestHTTPFlagsListed ensures the list of http-only flags that parseArgs refuses
// with another behavior holds exactly the flags whose help says "http:".
func TestHTTPFlagsListed(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	listed := httpFlags(fs, &web.Options{})
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(listed, f.Name) || !strings.HasPrefix(f.Usage, "http: ") {
			t.Errorf("http flag -%s (%q) is not in the list %q or lacks \"http: \"", f.Name, f.Usage, listed)
		}
	})
	if n, defined := len(listed), countFlags(fs); n != defined {
		t.Errorf("httpFlags listed %q; want the %d flags it defines", listed, defined)
	}
}

// TestParseArgsFlags ensures every flag lands in its config field.
func TestParseArgsFlags(t *testing.T) {
	cfg, err := parseArgs([]string{"-host", "0.0.0.0", "-behavior", "echo", "-log-file", "x.log",
		"-log-format", "json", "-log-level", "debug", "-max-conns", "7", "-at-limit", "reject", "-idle-timeout", "1m",
		"-write-timeout", "2s", "-shutdown-timeout", "3s", "-log-max-size", "10", "-log-max-backups", "4", "1234"}, io.Discard)
	if err != nil {
		t.Fatalf("parseArgs: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Host", cfg.Host, "0.0.0.0"},
		{"Behavior", cfg.Behavior, "echo"},
		{"Log.File", cfg.Log.File, "x.log"},
		{"Log.Format", cfg.Log.Format, "json"},
		{"Log.Level", cfg.Log.Level, "debug"},
		{"Log.MaxSize", cfg.Log.MaxSize, 10},
		{"Log.MaxBackups", cfg.Log.MaxBackups, 4},
		{"MaxConns", cfg.MaxConns, 7},
		{"AtLimit", cfg.AtLimit, "reject"},
		{"IdleTimeout", cfg.IdleTimeout, time.Minute},
		{"WriteTimeout", cfg.WriteTimeout, 2 * time.Second},
		{"ShutdownTimeout", cfg.ShutdownTimeout, 3 * time.Second},
		{"Port", cfg.Port, 1234},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("parseArgs(...).%s = %v; want %v", c.name, c.got, c.want)
		}
	}
}

// TestParseArgsObserve ensures -admin becomes the address to listen on
// (loopback unless a host is named) and turns the observatory on, and -chaos
// lands in Config.Chaos.
func TestParseArgsObserve(t *testing.T) {
	tests := []struct {
		args    []string
		admin   string
		observe bool
		chaos   float64
	}{
		{args: nil},
		{args: []string{"-admin", "9090"}, admin: "127.0.0.1:9090", observe: true},
		{args: []string{"-admin", ":0"}, admin: "127.0.0.1:0", observe: true},
		{args: []string{"-admin", "0.0.0.0:9090", "7000"}, admin: "0.0.0.0:9090", observe: true},
		{args: []string{"-chaos", "2.5"}, chaos: 2.5},
		{args: []string{"-chaos", "0"}},
	}
	for _, tt := range tests {
		cmd, err := parseArgs(tt.args, io.Discard)
		if err != nil || cmd.admin != tt.admin || cmd.Observe != tt.observe || cmd.Chaos != tt.chaos {
			t.Errorf("parseArgs(%q) = admin %q, observe %v, chaos %v, %v; want %q, %v, %v, nil",
				tt.args, cmd.admin, cmd.Observe, cmd.Chaos, err, tt.admin, tt.observe, tt.chaos)
		}
	}
}

// TestRunBadArgs ensures a bad command line exits 2 before anything starts, with
// a message on stderr that names the bad value and points at -h, and nothing on
// stdout (no ready line).
func TestRunBadArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"abc"}, `invalid port "abc"`},
		{[]string{"70000"}, `invalid port "70000"`},
		{[]string{"-1"}, `invalid port "-1"`},
		{[]string{"1", "2"}, "too many arguments"},
		{[]string{"-port", "1", "2"}, "port given twice"},
		{[]string{"-behavior", "chat", "-chat-flood", "false", "0"}, `"false" is not a port: a boolean flag takes its value after =, as -chat-flood=false`},
		{[]string{"-behavior", "chat", "-chat-flood", "TRUE"}, `"TRUE" is not a port: a boolean flag takes its value after =, as -chat-flood=true`},
		{[]string{"-behavior", "gopher", "0"}, `unknown behavior "gopher"`},
		{[]string{"-nope"}, "-nope"},
		{[]string{"-max-body", "x"}, `invalid value "x" for flag -max-body`},
		{[]string{"-log-format", "xml"}, `-log-format: "xml"`},
		{[]string{"-log-max-size", "-1"}, "-log-max-size: -1 is negative"},
		{[]string{"-log-max-size", "1", "-log-max-backups", "-1"}, "-log-max-backups: -1 is negative"},
		{[]string{"-log-file", "-", "-log-max-size", "1"}, "-log-max-size: 1: standard error (-log-file -) cannot be rotated"},
		{[]string{"-behavior", "echo", "-max-body", "5"}, "-max-body is a flag of -behavior http"},
		{[]string{"-admin", "nonsense"}, `-admin: "nonsense" is not HOST:PORT or PORT`},
		{[]string{"-host", ""}, "-host: empty; give an address, or 0.0.0.0 for every interface"},
		{[]string{"-chaos", "-1"}, "-chaos: -1 is not a rate"},
		{[]string{"-chaos", "+Inf"}, "-chaos: +Inf is not a rate"},
		{[]string{"-chaos", "1e9"}, "-chaos: 1e+09 is above 1000 faults per second"},
		{[]string{"-port", "+18002"}, `invalid port "+18002"`},
		{[]string{"-idle-timeout", "5"}, `invalid value "5" for flag -idle-timeout: missing unit in duration "5" (a duration needs a unit: 5s`},
		{[]string{"-output-limit", "100", "-output-soft-limit", "1000"}, "-output-soft-limit: 1000 is above -output-limit 100"},
		{[]string{"-log-level", "fatal"}, `-log-level: "fatal"`},
		{[]string{"-log-file", "/nonexistent/dir/x.log"}, "-log-file: /nonexistent/dir/x.log: directory /nonexistent/dir does not exist"},
		{[]string{"-listen", "echo=127.0.0.1:0,foo"}, `invalid value "echo=127.0.0.1:0,foo" for flag -listen: unknown suffix ",foo"`},
		{[]string{"-tls-cert", "cert.pem", "-tls-key", "key.pem", "-listen", "http=127.0.0.1:0"},
			"-tls-cert, -tls-key: given, but no -listen entry ends in ,tls"},
	}
	for _, tt := range tests {
		if _, err := parseArgs(tt.args, io.Discard); err == nil {
			t.Errorf("parseArgs(%q) = nil error; want one containing %q", tt.args, tt.want)
			continue // run would start the server, and wait for a signal
		}
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != exitUsage {
			t.Errorf("run(%q) = %d; want %d", tt.args, code, exitUsage)
		}
		// The error once, then the hint: no usage between or after.
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], tt.want) || lines[1] != "Run 'async_server -h' for usage." {
			t.Errorf("run(%q) stderr = %q; want two lines: an error containing %q, and the hint", tt.args, stderr.String(), tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) stdout = %q; want nothing", tt.args, stdout.String())
		}
	}
}

// TestRunHelp ensures -h exits 0 and prints the usage with every flag to
// standard output (so that -h | less works), nothing to standard error, and
// that every size and duration flag says what 0 means.
func TestRunHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{arg}, &stdout, &stderr); code != exitOK {
			t.Errorf("run(%s) = %d; want %d", arg, code, exitOK)
		}
		if stderr.Len() != 0 {
			t.Errorf("run(%s) stderr = %q; want nothing", arg, stderr.String())
		}
		help := stdout.String()
		for _, f := range []string{"usage: async_server [flags] [port]", "-port", "-host", "-behavior", "-log-file",
			"-log-format", "-log-level", "-max-conns", "-at-limit", "-idle-timeout", "-write-timeout", "-min-send-rate", "-shutdown-timeout",
			"-root", "-max-body", "-max-header-bytes", "-header-timeout", "-min-body-rate", "-log-max-size", "-log-max-backups", "-admin", "-chaos",
			"0 turns the limit off", "SIGHUP"} {
			if !strings.Contains(help, f) {
				t.Errorf("run(%s) output lacks %q:\n%s", arg, f, help)
			}
		}
	}
	var stdout bytes.Buffer
	run([]string{"-h"}, &stdout, io.Discard)
	help := helpByFlag(stdout.String())
	for _, f := range []string{"idle-timeout", "write-timeout", "shutdown-timeout", "header-timeout", "max-body", "max-header-bytes",
		"min-body-rate", "min-send-rate", "log-max-size", "log-max-backups"} {
		if !strings.Contains(help[f], "(0: ") {
			t.Errorf("-h says %q for -%s; want it to say what 0 means", help[f], f)
		}
	}
}

// helpByFlag splits the output of -h into each flag's text, by flag name.
func helpByFlag(help string) map[string]string {
	texts := map[string]string{}
	name := ""
	for _, line := range strings.Split(help, "\n") {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(rest, " ")
		}
		if name != "" {
			texts[name] += line + "\n"
		}
	}
	return texts
}

// TestRunPortInUse ensures a port that is taken exits 1 with a message on stderr
// that says why, no ready line, and a log entry.
func TestRunPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	var stdout, stderr bytes.Buffer
	logPath := filepath.Join(t.TempDir(), "server.log")
	args := []string{"-log-file", logPath, port}
	if code := run(args, &stdout, &stderr); code != exitFailure {
		t.Errorf("run(%q) = %d; want %d", args, code, exitFailure)
	}
	if want := "cannot listen on 127.0.0.1:" + port; !strings.Contains(stderr.String(), want) {
		t.Errorf("run(%q) stderr = %q; want it to contain %q", args, stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Errorf("run(%q) stdout = %q; want nothing", args, stdout.String())
	}
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := `msg="cannot listen"`; !strings.Contains(string(log), want) {
		t.Errorf("log = %q; want an entry %s", log, want)
	}
}

// TestRunBadLogFile ensures a log file in a directory that does not exist, one
// that is a directory, or one that cannot be written, is a bad command line, as a missing -root is: exit 2
// with a message naming the flag and the path, no ready line, nothing created.
func TestRunBadLogFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "server.log")
	for _, tt := range []struct{ file, want string }{
		{missing, "-log-file: " + missing + ": directory " + filepath.Dir(missing) + " does not exist"},
		{dir, "-log-file: " + dir + " is a directory"},
		// opens, and refuses every write: found by a first write at start
		{"/dev/full", "-log-file: cannot be written: write /dev/full: no space left on device"},
	} {
		var stdout, stderr bytes.Buffer
		args := []string{"-log-file", tt.file, "0"}
		if code := run(args, &stdout, &stderr); code != exitUsage {
			t.Errorf("run(%q) = %d; want %d", args, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("run(%q) stderr = %q; want it to contain %q", args, stderr.String(), tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) stdout = %q; want nothing", args, stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat %s: %v; want it still missing", filepath.Dir(missing), err)
	}
}

// TestParseArgsOutputLimits ensures a soft output limit above the hard one is
// refused only when it is asked for: -output-limit alone below the default soft
// limit turns the soft limit off (it could never apply), and otherwise leaves
// it be.
func TestParseArgsOutputLimits(t *testing.T) {
	def := actors.DefaultConfig()
	tests := []struct {
		args       []string
		hard, soft int64
	}{
		{nil, def.OutputLimit, def.OutputSoftLimit},
		{[]string{"-output-limit", "1000"}, 1000, 0},
		{[]string{"-output-limit", strconv.FormatInt(def.OutputSoftLimit, 10)}, def.OutputSoftLimit, def.OutputSoftLimit},
		{[]string{"-output-limit", "0"}, 0, def.OutputSoftLimit},
		{[]string{"-output-limit", "1000", "-output-soft-limit", "500"}, 1000, 500},
		{[]string{"-output-limit", "1000", "-output-soft-limit", "0"}, 1000, 0},
	}
	for _, tt := range tests {
		cmd, err := parseArgs(tt.args, io.Discard)
		if err != nil || cmd.OutputLimit != tt.hard || cmd.OutputSoftLimit != tt.soft {
			t.Errorf("parseArgs(%q) = hard %d, soft %d, %v; want %d, %d, nil",
				tt.args, cmd.OutputLimit, cmd.OutputSoftLimit, err, tt.hard, tt.soft)
		}
	}
}

// TestShutdownSignals ensures SIGHUP (the terminal closed) shuts down as SIGINT
// and SIGTERM do (the process test TestCLI/SIGHUP runs it), unless it is
// ignored, as under nohup: then it must stay ignored.
func TestShutdownSignals(t *testing.T) {
	want := []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}
	if signal.Ignored(syscall.SIGHUP) {
		want = want[:2]
	}
	if got := shutdownSignals(); !slices.Equal(got, want) {
		t.Errorf("shutdownSignals() = %v; want %v", got, want)
	}
}

// TestRunHelpDurations ensures the duration flags, whose values parseArgs
// wraps to explain a refusal, are still listed as durations by -h, with their
// defaults, and that -h run twice says the same.
func TestRunHelpDurations(t *testing.T) {
	var first, second bytes.Buffer
	run([]string{"-h"}, &first, io.Discard)
	run([]string{"-h"}, &second, io.Discard)
	if first.String() != second.String() {
		t.Errorf("-h twice differs:\n%s\n---\n%s", first.String(), second.String())
	}
	help := helpByFlag(first.String())
	for _, f := range []string{"idle-timeout", "write-timeout", "shutdown-timeout", "header-timeout", "keepalive-timeout"} {
		if !strings.HasPrefix(help[f], "  -"+f+" duration\n") || !strings.Contains(help[f], "(default ") {
			t.Errorf("-h lists -%s as %q; want \"  -%s duration\" and its default", f, help[f], f)
		}
	}
}

// countFlags counts the flags defined on fs.
func countFlags(fs *flag.FlagSet) int {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n
}

// TestParseArgsListen ensures -listen gathers one listener per use, behavior
// names in any case; refuses a malformed value, a clash with the single-listener
// flags, and an http flag when no listener serves http.
func TestParseArgsListen(t *testing.T) {
	cfg, err := parseArgs([]string{"-listen", "HTTP=127.0.0.1:0", "-listen", "echo=127.0.0.1:9000", "-max-body", "5"}, io.Discard)
	want := []actors.Listener{{Behavior: "http", Addr: "127.0.0.1:0"}, {Behavior: "echo", Addr: "127.0.0.1:9000"}}
	if err != nil || !slices.Equal(cfg.Listeners, want) {
		t.Fatalf("parseArgs(two -listen) = %+v, %v; want %+v", cfg.Listeners, err, want)
	}
	// A bare :PORT listens on loopback, as -host and -admin do; every interface
	// must be asked for.
	cfg, err = parseArgs([]string{"-listen", "echo=:9000", "-listen", "echo=0.0.0.0:9001"}, io.Discard)
	want = []actors.Listener{{Behavior: "echo", Addr: "127.0.0.1:9000"}, {Behavior: "echo", Addr: "0.0.0.0:9001"}}
	if err != nil || !slices.Equal(cfg.Listeners, want) {
		t.Fatalf("parseArgs(-listen echo=:9000 ...) = %+v, %v; want %+v", cfg.Listeners, err, want)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"-listen", "nonsense"}, `"nonsense" is not BEHAVIOR=HOST:PORT`},
		{[]string{"-listen", "echo=nohost"}, "want BEHAVIOR=HOST:PORT"},
		{[]string{"-listen", "gopher=127.0.0.1:0"}, `unknown behavior "gopher"`},
		{[]string{"-listen", "echo=127.0.0.1:0", "9000"}, "-listen replaces"},
		{[]string{"-listen", "echo=127.0.0.1:0", "-behavior", "http"}, "-listen replaces"},
		{[]string{"-listen", "echo=127.0.0.1:0", "-max-body", "5"}, "-max-body is a flag of -behavior http"},
		{[]string{"-listen", "echo=127.0.0.1:7000", "-listen", "http=127.0.0.1:7000"}, "is given twice"},
		// The error is the suffix's, quoting the whole value as given.
		{[]string{"-listen", "echo=127.0.0.1:18002,foo"},
			`invalid value "echo=127.0.0.1:18002,foo" for flag -listen: unknown suffix ",foo" after HOST:PORT: the only one is ",tls"`},
		{[]string{"-listen", "echo=127.0.0.1:18002,"}, `unknown suffix ","`},
		{[]string{"-listen", "echo=127.0.0.1:18002,tls,foo"}, `unknown suffix ",foo"`},
		{[]string{"-listen", "echo=127.0.0.1:18002,tls,tls"},
			`invalid value "echo=127.0.0.1:18002,tls,tls" for flag -listen: ",tls" is given twice`},
		{[]string{"-listen", "echo=127.0.0.1:+18002"}, `invalid value "echo=127.0.0.1:+18002" for flag -listen: want BEHAVIOR=HOST:PORT with a port from 0 to 65535, not "+18002"`},
		{[]string{"-listen", "echo=127.0.0.1:70000"}, `not "70000"`},
	}
	for _, tt := range bad {
		if _, err := parseArgs(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseArgs(%q) error = %v; want one containing %q", tt.args, err, tt.want)
		}
	}
}

// TestParseArgsTLS ensures the TLS flags are checked before anything listens: a
// certificate without its key, or files that cannot be loaded, exit 2 naming
// the flags; ",tls" marks a -listen listener.
func TestParseArgsTLS(t *testing.T) {
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"-tls-cert", "cert.pem"}, "-tls-cert, -tls-key: TLS needs both"},
		{[]string{"-tls-cert", "/nonexistent/cert.pem", "-tls-key", "/nonexistent/key.pem"}, "-tls-cert /nonexistent/cert.pem"},
		{[]string{"-listen", "http=127.0.0.1:0,tls"}, "TLS needs both"},
	}
	for _, tt := range bad {
		if _, err := parseArgs(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseArgs(%q) error = %v; want one containing %q", tt.args, err, tt.want)
		}
	}
	for _, v := range []string{"http=127.0.0.1:8443,tls", "http=127.0.0.1:8443,TLS", "HTTP=127.0.0.1:8443,Tls"} {
		var f listenFlag
		want := listenFlag{{Behavior: "http", Addr: "127.0.0.1:8443", TLS: true}}
		if err := f.Set(v); err != nil || !slices.Equal(f, want) {
			t.Errorf(`Set(%q) = %+v, %v; want %+v`, v, f, err, want)
		}
	}
	var ipv6 listenFlag
	if err := ipv6.Set("echo=[::1]:0,tls"); err != nil || len(ipv6) != 1 || ipv6[0].Addr != "[::1]:0" || !ipv6[0].TLS {
		t.Errorf(`Set("echo=[::1]:0,tls") = %+v, %v; want TLS on [::1]:0`, ipv6, err)
	}
}

// TestParseArgsTLSUnused ensures -tls-cert and -tls-key with -listen but no
// listener marked ,tls are refused (they would be loaded and serve nothing),
// whether the files exist or not, naming what was given; with a listener
// marked ,tls, or without -listen (the one listener serves TLS), the check
// passes and the certificate is what is looked at next.
func TestParseArgsTLSUnused(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, f := range []string{cert, key} {
		if err := os.WriteFile(f, []byte("not PEM"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-tls-cert", cert, "-tls-key", key, "-listen", "http=127.0.0.1:0"},
			"-tls-cert, -tls-key: given, but no -listen entry ends in ,tls: nothing would serve TLS"},
		{[]string{"-tls-cert", "/nonexistent/cert.pem", "-tls-key", "/nonexistent/key.pem", "-listen", "http=127.0.0.1:0", "-listen", "echo=127.0.0.1:0"},
			"-tls-cert, -tls-key: given, but no -listen entry ends in ,tls"},
		{[]string{"-tls-key", key, "-listen", "http=127.0.0.1:0"}, "-tls-key: given, but no -listen entry ends in ,tls"},
		// Past the check: the files are loaded, and these are no PEM.
		{[]string{"-tls-cert", cert, "-tls-key", key, "-listen", "http=127.0.0.1:0,tls", "-listen", "echo=127.0.0.1:0"},
			"-tls-cert " + cert + ", -tls-key " + key + ":"},
		{[]string{"-tls-cert", cert, "-tls-key", key, "0"}, "-tls-cert " + cert + ", -tls-key " + key + ":"},
	}
	for _, tt := range tests {
		if _, err := parseArgs(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseArgs(%q) error = %v; want one containing %q", tt.args, err, tt.want)
		}
	}
}
