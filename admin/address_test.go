package admin_test

import (
	"strings"
	"testing"

	"async_server/admin"
	"async_server/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// TestAddress ensures every form -admin takes becomes the address to listen
// on, loopback unless a host is named, and that a bad one is refused naming
// the value.
func TestAddress(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "9090", want: "127.0.0.1:9090"},
		{in: "0", want: "127.0.0.1:0"},
		{in: ":9090", want: "127.0.0.1:9090"},
		{in: "0.0.0.0:9090", want: "0.0.0.0:9090"},
		{in: "localhost:0", want: "localhost:0"},
		{in: "[::1]:9090", want: "[::1]:9090"},
		{in: "nonsense", err: `"nonsense" is not HOST:PORT or PORT`},
		{in: "", err: `"" is not HOST:PORT or PORT`},
		{in: "::1", err: `"::1" is not`},
		{in: "70000", err: `"70000": port "70000" is not a number from 0 to 65535`},
		{in: "-1", err: `"-1": port "-1"`},
		{in: "127.0.0.1:http", err: `port "http"`},
	}
	for _, tt := range tests {
		got, err := admin.Address(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Address(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Address(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.err)
		}
	}
}
