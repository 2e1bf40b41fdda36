package actors

import (
	"strings"
	"testing"
	"time"
)

// TestDefaultConfigValidates ensures the defaults the command line documents are
// a working configuration.
func TestDefaultConfigValidates(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v; want nil", err)
	}
}

// TestValidateNamesField ensures Validate rejects each bad value with an error
// that starts with the field's command-line name (and quotes the bad value where
// it is text), so the user knows which flag to fix; and that edge values that do
// work are accepted.
func TestValidateNamesField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string // prefix of the error; "" means valid
	}{
		{"port -1", func(c *Config) { c.Port = -1 }, "port: -1"},
		{"port 65536", func(c *Config) { c.Port = 65536 }, "port: 65536"},
		{"port 0", func(c *Config) { c.Port = 0 }, ""},
		{"port 65535", func(c *Config) { c.Port = 65535 }, ""},
		{"max-conns 0", func(c *Config) { c.MaxConns = 0 }, "max-conns: 0"},
		{"max-conns -5", func(c *Config) { c.MaxConns = -5 }, "max-conns: -5"},
		{"max-conns 1", func(c *Config) { c.MaxConns = 1 }, ""},
		{"at-limit", func(c *Config) { c.AtLimit = "drop" }, `at-limit: "drop"`},
		{"at-limit empty", func(c *Config) { c.AtLimit = "" }, `at-limit: ""`},
		{"at-limit reject", func(c *Config) { c.AtLimit = AtLimitReject }, ""},
		{"idle-timeout negative", func(c *Config) { c.IdleTimeout = -time.Second }, "idle-timeout: -1s"},
		{"idle-timeout 0", func(c *Config) { c.IdleTimeout = 0 }, ""},
		{"write-timeout negative", func(c *Config) { c.WriteTimeout = -time.Millisecond }, "write-timeout: -1ms"},
		{"write-timeout 0", func(c *Config) { c.WriteTimeout = 0 }, ""},
		{"shutdown-timeout negative", func(c *Config) { c.ShutdownTimeout = -time.Minute }, "shutdown-timeout: -1m0s"},
		{"shutdown-timeout 0", func(c *Config) { c.ShutdownTimeout = 0 }, ""},
		{"restart intensity negative", func(c *Config) { c.Intensity.MaxRestarts = -1 }, "restart intensity"},
		{"behavior unknown", func(c *Config) { c.Behavior = "gopher" }, `behavior: unknown behavior "gopher"`},
		{"behavior empty", func(c *Config) { c.Behavior = "" }, `behavior: unknown behavior ""`},
		{"log-format", func(c *Config) { c.Log.Format = "xml" }, `log-format: "xml"`},
		{"log-format json", func(c *Config) { c.Log.Format = "json" }, ""},
		{"log-level", func(c *Config) { c.Log.Level = "loud" }, `log-level: "loud"`},
		{"log-level debug", func(c *Config) { c.Log.Level = "debug" }, ""},
		{"log-file empty", func(c *Config) { c.Log.File = "" }, "log-file:"},
		{"log-file stderr", func(c *Config) { c.Log.File = "-" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v; want nil", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate() = nil; want an error starting %q", tt.want)
			case tt.want != "" && !strings.HasPrefix(err.Error(), tt.want):
				t.Errorf("Validate() = %q; want an error starting %q", err, tt.want)
			}
		})
	}
}
