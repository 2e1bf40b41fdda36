package main

import (
	"io"
	"strings"
	"testing"
)

// TestRespFlags ensures -maxmemory and -proto-max-bulk-len take Redis's units
// (redis.conf's: k is 1000, kb 1024, any case) and refuse anything else
// naming the accepted form, -proto-max-bulk-len refuses less than Redis's
// least (1mb), where it took 0 and negative values for the default, and a bad
// -maxmemory-policy is named as the other flags are.
func TestRespFlags(t *testing.T) {
	for v, want := range map[string]int64{
		"0": 0, "100": 100, "5b": 5, "1k": 1000, "1kb": 1024, "2m": 2e6, "2MB": 2 << 20,
		"1g": 1e9, "1gb": 1 << 30, "1GB": 1 << 30, "3Kb": 3072,
	} {
		cmd, err := parseArgs([]string{"-behavior", "resp", "-maxmemory", v}, io.Discard)
		if err != nil || cmd.Options.RESP.MaxMemory != want {
			t.Errorf("-maxmemory %s: %d, %v; want %d", v, cmd.Options.RESP.MaxMemory, err, want)
		}
	}
	for _, v := range []string{"1x", "gb", "-1", "-1gb", "1.5gb", "1 gb", "99999999999gb", ""} {
		_, err := parseArgs([]string{"-behavior", "resp", "-maxmemory", v}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `invalid value "`+v+`" for flag -maxmemory: `) ||
			!strings.Contains(err.Error(), "1gb") {
			t.Errorf("-maxmemory %q: %v; want an error naming the flag and the accepted form", v, err)
		}
	}
	_, err := parseArgs([]string{"-behavior", "resp", "-maxmemory-policy", "foo"}, io.Discard)
	if want := `-maxmemory-policy: "foo" is not one of volatile-lru, `; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("-maxmemory-policy foo: %v; want an error starting %q", err, want)
	}
	_, err = parseArgs([]string{"-behavior", "echo", "-maxmemory-policy", "foo"}, io.Discard)
	if want := "-maxmemory-policy is a flag of -behavior resp"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("-behavior echo -maxmemory-policy foo: %v; want an error starting %q", err, want)
	}
	for v, want := range map[string]string{
		"0":       "-proto-max-bulk-len: 0 is below 1048576 (1mb)",
		"1048575": "-proto-max-bulk-len: 1048575 is below 1048576 (1mb)",
		"-1":      `invalid value "-1" for flag -proto-max-bulk-len: `,
	} {
		_, err := parseArgs([]string{"-behavior", "resp", "-proto-max-bulk-len", v}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("-proto-max-bulk-len %s: %v; want an error containing %q", v, err, want)
		}
	}
	for v, want := range map[string]int64{"1mb": 1 << 20, "2gb": 2 << 30, "536870912": 512 << 20} {
		cmd, err := parseArgs([]string{"-behavior", "resp", "-proto-max-bulk-len", v}, io.Discard)
		if err != nil || cmd.Options.RESP.MaxBulkLen != want {
			t.Errorf("-proto-max-bulk-len %s: %d, %v; want %d", v, cmd.Options.RESP.MaxBulkLen, err, want)
		}
	}
	cmd, err := parseArgs([]string{"-behavior", "resp", "-maxmemory-policy", "ALLKEYS-LRU"}, io.Discard)
	if err != nil || cmd.Options.RESP.MaxMemoryPolicy != "ALLKEYS-LRU" {
		t.Errorf("-maxmemory-policy ALLKEYS-LRU: %v", err)
	}
}
