package main

import (
	"io"
	"strings"
	"testing"
)

// TestErrorsNameTheFlag ensures a bad command line's error starts with the
// flag to fix, spelled as it is typed (with its dash), and names the value:
// "-root /does/not/exist" once said "behavior: root: open ...".
func TestErrorsNameTheFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string // the error's start
		also string // further in the error
	}{
		{[]string{"-root", "/does/not/exist"}, "-root: ", "/does/not/exist"},
		{[]string{"-max-conns", "0"}, "-max-conns: 0", ""},
		{[]string{"-at-limit", "x"}, `-at-limit: "x"`, ""},
		{[]string{"-idle-timeout", "-1s"}, "-idle-timeout: -1s", ""},
		{[]string{"-write-timeout", "-1s"}, "-write-timeout: -1s", ""},
		{[]string{"-min-send-rate", "-1"}, "-min-send-rate: -1", ""},
		{[]string{"-shutdown-timeout", "-1s"}, "-shutdown-timeout: -1s", ""},
		{[]string{"-output-limit", "-1"}, "-output-limit: -1", ""},
		{[]string{"-send-buffer", "-1"}, "-send-buffer: -1", ""},
		{[]string{"-output-limit", "4", "-output-soft-limit", "5"}, "-output-soft-limit: 5", "-output-limit 4"},
		{[]string{"-chaos", "-1"}, "-chaos: -1", ""},
		{[]string{"-log-level", "x"}, `-log-level: "x"`, ""},
		{[]string{"-log-format", "x"}, `-log-format: "x"`, ""},
		{[]string{"-log-file", "/does/not/exist/x.log"}, "-log-file: ", "/does/not/exist"},
		{[]string{"-log-max-size", "-1"}, "-log-max-size: -1", ""},
		{[]string{"-log-max-backups", "3"}, "-log-max-backups: 3", "-log-max-size"},
		{[]string{"-max-body", "-1"}, "-max-body: -1", ""},
		{[]string{"-header-timeout", "-1s"}, "-header-timeout: -1s", ""},
		{[]string{"-behavior", "gopher"}, `-behavior: unknown behavior "gopher"`, ""},
		{[]string{"-tls-cert", "a.pem"}, "-tls-cert, -tls-key: ", ""},
		{[]string{"-tls-cert", "a.pem", "-tls-key", "b.pem"}, "-tls-cert a.pem, -tls-key b.pem: ", ""},
		{[]string{"-listen", "echo=127.0.0.1:0", "-tls-cert", "a", "-tls-key", "b"}, "-tls-cert, -tls-key: given", ""},
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args, io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.also) {
			t.Errorf("%q: error %v; want one starting %q and naming %q", tt.args, err, tt.want, tt.also)
		}
	}
}

// TestAdminClash ensures -admin on an address the server listens on is
// refused before anything starts, saying it clashes with that listener,
// where it used to start the server and then fail to bind.
func TestAdminClash(t *testing.T) {
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"-admin", "7878"}, "-admin 127.0.0.1:7878 clashes with the http listener on 127.0.0.1:7878"},
		{[]string{"-behavior", "echo", "-admin", ":9000", "9000"}, "-admin 127.0.0.1:9000 clashes with the echo listener"},
		{[]string{"-admin", "0.0.0.0:9000", "9000"}, "-admin 0.0.0.0:9000 clashes"},
		{[]string{"-admin", "9001", "-listen", "echo=127.0.0.1:9000", "-listen", "chat=:9001"}, "clashes with the chat listener on 127.0.0.1:9001"},
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%q: error %v; want one saying %q", tt.args, err, tt.says)
		}
	}
	for _, ok := range [][]string{{"-admin", "0", "0"}, {"-admin", "9001", "9000"}, {"-admin", "127.0.0.2:9000", "9000"}} {
		if _, err := parseArgs(ok, io.Discard); err != nil {
			t.Errorf("%q: %v; want no error", ok, err)
		}
	}
}
