package main

import (
	"io"
	"strings"
	"testing"
)

// TestSizeFlags ensures every size flag in bytes parses as -maxmemory does:
// decimal ("0100" is 100, where it was octal 64), with redis.conf's units
// (where -memory-budget 1gb was a bare "parse error"), and refuses Go's other
// integer forms (0x10, 1_000) naming the flag and the accepted forms.
func TestSizeFlags(t *testing.T) {
	flags := map[string]func(command) int64{
		"max-body":          func(c command) int64 { return c.Options.HTTP.MaxBody },
		"max-header-bytes":  func(c command) int64 { return int64(c.Options.HTTP.MaxHeaderBytes) },
		"min-body-rate":     func(c command) int64 { return c.Options.HTTP.MinBodyRate },
		"min-send-rate":     func(c command) int64 { return c.MinSendRate },
		"output-limit":      func(c command) int64 { return c.OutputLimit },
		"output-soft-limit": func(c command) int64 { return c.OutputSoftLimit },
		"memory-budget":     func(c command) int64 { return c.MemoryBudget },
		"send-buffer":       func(c command) int64 { return int64(c.SendBuffer) },
	}
	for name, get := range flags {
		for v, want := range map[string]int64{"0": 0, "100": 100, "0100": 100, "5b": 5, "1k": 1000, "1kb": 1024,
			"2MB": 2 << 20, "1g": 1e9, "1gb": 1 << 30} {
			// -output-limit 0 turns the soft limit's check off; set it alike.
			cmd, err := parseArgs([]string{"-output-limit", "0", "-" + name, v}, io.Discard)
			if err != nil || get(cmd) != want {
				t.Errorf("-%s %s = %d, %v; want %d, nil", name, v, get(cmd), err, want)
			}
		}
		for _, v := range []string{"0x10", "1_000", "+5", "1.5kb", "1x", "kb", "", " 5", "99999999999gb"} {
			_, err := parseArgs([]string{"-" + name, v}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), `invalid value "`+v+`" for flag -`+name+": want a decimal number of bytes") ||
				!strings.Contains(err.Error(), "64kb") {
				t.Errorf("-%s %q: error %v; want one naming the flag and the accepted forms", name, v, err)
			}
		}
	}
}

// TestCountFlags ensures the flags that count (and -log-max-size's
// megabytes) are decimal digits only: "0100" is 100, not octal 64, and 0x10,
// 1_000 and units are refused naming the flag.
func TestCountFlags(t *testing.T) {
	for _, name := range []string{"max-conns", "log-max-size", "log-max-backups"} {
		cmd, err := parseArgs([]string{"-" + name, "0100", "-log-max-size", "1"}, io.Discard)
		got := map[string]int{"max-conns": cmd.MaxConns, "log-max-size": cmd.Log.MaxSize, "log-max-backups": cmd.Log.MaxBackups}[name]
		if name == "log-max-size" {
			cmd, err = parseArgs([]string{"-log-max-size", "0100"}, io.Discard)
			got = cmd.Log.MaxSize
		}
		if err != nil || got != 100 {
			t.Errorf("-%s 0100 = %d, %v; want 100, nil", name, got, err)
		}
		for _, v := range []string{"0x10", "1_000", "+5", "1k", "1.5"} {
			_, err := parseArgs([]string{"-" + name, v}, io.Discard)
			if want := `invalid value "` + v + `" for flag -` + name + ": want a decimal number, digits only"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("-%s %q: error %v; want one containing %q", name, v, err, want)
			}
		}
	}
}

// TestNumberFlagLimits ensures a value past what its use can hold is refused
// naming the flag and the largest value taken: -log-max-size past
// 8796093022207 megabytes overflowed lumberjack's count in bytes (every entry
// then refused: an empty log), and -send-buffer past 2147483647 was cut to
// setsockopt's 32 bits (4294967296 became the kernel's minimum buffer).
func TestNumberFlagLimits(t *testing.T) {
	tests := []struct {
		args []string
		want string // "" for none
	}{
		{[]string{"-log-max-size", "8796093022207"}, ""},
		{[]string{"-log-max-size", "8796093022208"}, `invalid value "8796093022208" for flag -log-max-size: above 8796093022207, the largest it takes`},
		{[]string{"-log-max-size", "17592186044416"}, "above 8796093022207"},
		{[]string{"-log-max-size", "9223372036854775807"}, "above 8796093022207"},
		{[]string{"-send-buffer", "2147483647"}, ""},
		{[]string{"-send-buffer", "2gb"}, `invalid value "2gb" for flag -send-buffer: above 2147483647, the largest it takes (setsockopt's int); the kernel caps it at net.core.wmem_max`},
		{[]string{"-send-buffer", "2147483648"}, "above 2147483647"},
		{[]string{"-send-buffer", "4294967296"}, "above 2147483647"},
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args, io.Discard)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("parseArgs(%q) error = %v; want nil", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("parseArgs(%q) error = %v; want one containing %q", tt.args, err, tt.want)
		}
	}
}

// TestRateFlag ensures -chaos takes decimal numbers only, as every number on
// the command line: Go's float literals "1_0" and "0x1p4" were taken (16
// faults a second for the hex one), and "fast" or "0x10" was a bare "parse
// error". NaN, Inf and negatives still reach Validate, which names them.
func TestRateFlag(t *testing.T) {
	for v, want := range map[string]float64{"0": 0, "2.5": 2.5, ".5": 0.5, "010": 10, "1e3": 1000} {
		cmd, err := parseArgs([]string{"-chaos", v}, io.Discard)
		if err != nil || cmd.Chaos != want {
			t.Errorf("-chaos %s = %v, %v; want %v, nil", v, cmd.Chaos, err, want)
		}
	}
	for _, v := range []string{"1_0", "0x1p4", "0x10", "fast", "", "1.5x"} {
		_, err := parseArgs([]string{"-chaos", v}, io.Discard)
		if want := `invalid value "` + v + `" for flag -chaos: want a decimal number of faults per second`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-chaos %q: error %v; want one containing %q", v, err, want)
		}
	}
	for v, want := range map[string]string{"NaN": "-chaos: NaN is not a rate", "-1": "-chaos: -1 is not a rate", "1e9": "is above 1000"} {
		if _, err := parseArgs([]string{"-chaos", v}, io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-chaos %s: error %v; want one containing %q", v, err, want)
		}
	}
}
