package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"async_server/behaviors/web"
)

// FuzzParseArgs feeds parseArgs arbitrary command lines (NUL-separated words)
// and checks its contract: it never panics, and it either refuses the line or
// returns a config that validates, with a port from 0 to 65535 and no http flag
// set for another behavior.
func FuzzParseArgs(f *testing.F) {
	for _, seed := range []string{
		"", "9000", "-port\x009000", "-port=0", "abc", "-1", "70000", "9000\x00-behavior\x00echo",
		"-behavior\x00echo\x00-1", "-port\x009000\x0009000", "-h", "--\x00-5", "-max-conns\x00-1",
		"-idle-timeout\x001s\x00-log-format\x00json\x00 7878", "-log-format\x00JSON", "-behavior\x00ECHO",
		"-behavior\x00echo\x00-max-body\x005", "-max-body\x000\x00-header-timeout\x000",
		"+9000", "-port\x00+9000", "-idle-timeout\x005", "-output-limit\x00100\x00-output-soft-limit\x001000",
		"-output-limit\x00100", "-log-level\x00fatal", "-listen\x00echo=127.0.0.1:0,TLS", "-listen\x00echo=127.0.0.1:0,tls,tls",
		"-tls-cert\x00c\x00-tls-key\x00k\x00-listen\x00http=127.0.0.1:0",
		"-max-header-bytes\x000100", "-memory-budget\x001gb", "-send-buffer\x004294967296", "-log-max-size\x008796093022208",
		"-max-conns\x000x10", "-listen\x00http=localhost:1\x00-listen\x00echo=127.0.0.1:1", "-log-file\x00/proc/x.log",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var args []string
		if line != "" {
			args = strings.Split(line, "\x00")
		}
		cfg, err := parseArgs(args, io.Discard)
		if err != nil || errors.Is(err, flag.ErrHelp) {
			return
		}
		if cfg.Port < 0 || cfg.Port > 65535 {
			t.Fatalf("parseArgs(%q) accepted port %d", args, cfg.Port)
		}
		if verr := cfg.Validate(); verr != nil {
			t.Fatalf("parseArgs(%q) returned a config that does not validate: %v", args, verr)
		}
		if cfg.OutputLimit > 0 && cfg.OutputSoftLimit > cfg.OutputLimit {
			t.Fatalf("parseArgs(%q) accepted a soft output limit %d above the hard one, %d", args, cfg.OutputSoftLimit, cfg.OutputLimit)
		}
		if cfg.Behavior != "http" && cfg.Options.HTTP != web.DefaultOptions() {
			t.Fatalf("parseArgs(%q) accepted http options %+v for -behavior %s", args, cfg.Options.HTTP, cfg.Behavior)
		}
	})
}
