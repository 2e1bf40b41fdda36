package main

import (
	"io"
	"strings"
	"testing"
)

// TestListenClash ensures two -listen entries that bind one address spelled
// two ways (localhost and 127.0.0.1, a bare :PORT and 0.0.0.0, [::] and any
// host) exit 2 as "given twice", where the second failed to bind at the
// start (exit 1, "address already in use"); and that addresses which bind
// side by side (another loopback address, 127.0.0.1 or localhost beside ::1,
// port 0)
// are still taken.
func TestListenClash(t *testing.T) {
	bad := []struct {
		a, b string
		want string
	}{
		{"localhost:28470", "127.0.0.1:28470", "-listen: localhost:28470 is given twice, also as 127.0.0.1:28470"},
		{"127.0.0.1:28470", "LOCALHOST:28470", "is given twice"},
		{":28470", "0.0.0.0:28470", "-listen: 127.0.0.1:28470 and 0.0.0.0:28470 are given twice: 0.0.0.0:28470 takes its port on every interface"},
		{"0.0.0.0:28470", "10.1.2.3:28470", "0.0.0.0:28470 takes its port on every interface"},
		{"[::]:28470", "127.0.0.1:28470", "[::]:28470 takes its port"},
		{"0.0.0.0:28470", "[::1]:28470", "0.0.0.0:28470 takes its port"}, // Go listens on ::1 dual-stack
		{"[::ffff:127.0.0.1]:28470", "127.0.0.1:28470", "is given twice"},
		{"127.0.0.1:28470", "127.0.0.1:028470", "is given twice"},
	}
	for _, tt := range bad {
		args := []string{"-listen", "http=" + tt.a, "-listen", "echo=" + tt.b}
		// parseArgs, not run: should the check fail, run would serve the port
		if _, err := parseArgs(args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseArgs(%q) error = %v; want one saying %q (run exits 2 on it)", args, err, tt.want)
		}
	}
	for _, pair := range [][2]string{
		{"127.0.0.1:28470", "127.0.0.2:28470"}, {"127.0.0.1:28470", "[::1]:28470"}, {"localhost:28470", "[::1]:28470"},
		{"localhost:0", "127.0.0.1:0"},
		{"127.0.0.1:28470", "127.0.0.1:28471"}, {"example.invalid:28470", "127.0.0.1:28470"}, // names are not resolved
	} {
		args := []string{"-listen", "http=" + pair[0], "-listen", "echo=" + pair[1]}
		if _, err := parseArgs(args, io.Discard); err != nil {
			t.Errorf("parseArgs(%q) error = %v; want nil", args, err)
		}
	}
}
