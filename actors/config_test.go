package actors

import (
	"os"
	"path/filepath"
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
	dir := t.TempDir()
	tests := []struct {
		name   string
		change func(*Config)
		want   string // prefix of the error; "" means valid
	}{
		{"port -1", func(c *Config) { c.Port = -1 }, "-port: -1"},
		{"port 65536", func(c *Config) { c.Port = 65536 }, "-port: 65536"},
		{"port 0", func(c *Config) { c.Port = 0 }, ""},
		{"port 65535", func(c *Config) { c.Port = 65535 }, ""},
		{"max-conns 0", func(c *Config) { c.MaxConns = 0 }, "-max-conns: 0"},
		{"max-conns -5", func(c *Config) { c.MaxConns = -5 }, "-max-conns: -5"},
		{"max-conns 1", func(c *Config) { c.MaxConns = 1 }, ""},
		{"at-limit", func(c *Config) { c.AtLimit = "drop" }, `-at-limit: "drop"`},
		{"at-limit empty", func(c *Config) { c.AtLimit = "" }, `-at-limit: ""`},
		{"at-limit reject", func(c *Config) { c.AtLimit = AtLimitReject }, ""},
		{"idle-timeout negative", func(c *Config) { c.IdleTimeout = -time.Second }, "-idle-timeout: -1s"},
		{"idle-timeout 0", func(c *Config) { c.IdleTimeout = 0 }, ""},
		{"write-timeout negative", func(c *Config) { c.WriteTimeout = -time.Millisecond }, "-write-timeout: -1ms"},
		{"write-timeout 0", func(c *Config) { c.WriteTimeout = 0 }, ""},
		{"min-send-rate negative", func(c *Config) { c.MinSendRate = -1 }, "-min-send-rate: -1 is negative"},
		{"min-send-rate 0", func(c *Config) { c.MinSendRate = 0 }, ""},
		{"shutdown-timeout negative", func(c *Config) { c.ShutdownTimeout = -time.Minute }, "-shutdown-timeout: -1m0s"},
		{"shutdown-timeout 0", func(c *Config) { c.ShutdownTimeout = 0 }, ""},
		{"restart intensity negative", func(c *Config) { c.Intensity.MaxRestarts = -1 }, "restart intensity"},
		{"behavior unknown", func(c *Config) { c.Behavior = "gopher" }, `-behavior: unknown behavior "gopher"`},
		{"behavior empty", func(c *Config) { c.Behavior = "" }, `-behavior: unknown behavior ""`},
		{"log-format", func(c *Config) { c.Log.Format = "xml" }, `-log-format: "xml"`},
		{"log-format json", func(c *Config) { c.Log.Format = "json" }, ""},
		{"log-level", func(c *Config) { c.Log.Level = "loud" }, `-log-level: "loud"`},
		{"log-level debug", func(c *Config) { c.Log.Level = "debug" }, ""},
		{"log-level warning", func(c *Config) { c.Log.Level = "Warning" }, ""}, // as the log spells it
		{"log-file empty", func(c *Config) { c.Log.File = "" }, "-log-file:"},
		{"log-file stderr", func(c *Config) { c.Log.File = "-" }, ""},
		{"log-file in a missing directory", func(c *Config) { c.Log.File = filepath.Join(dir, "missing", "x.log") },
			"-log-file: " + filepath.Join(dir, "missing", "x.log") + ": directory " + filepath.Join(dir, "missing") + " does not exist"},
		{"log-file a directory", func(c *Config) { c.Log.File = dir }, "-log-file: " + dir + " is a directory"},
		{"log-file under a file", func(c *Config) { c.Log.File = filepath.Join(dir, "file", "x.log") },
			"-log-file: " + filepath.Join(dir, "file", "x.log") + ": " + filepath.Join(dir, "file") + " is not a directory"},
		{"log-file new in a directory", func(c *Config) { c.Log.File = filepath.Join(dir, "new.log") }, ""},
		{"log-level fatal", func(c *Config) { c.Log.Level = "fatal" }, `-log-level: "fatal" is not error, warn, info, debug or trace`},
		{"log-level panic", func(c *Config) { c.Log.Level = "panic" }, `-log-level: "panic"`},
		{"log-level WARN", func(c *Config) { c.Log.Level = "WARN" }, ""},
		{"log-level trace", func(c *Config) { c.Log.Level = "trace" }, ""},
		// Moot (the hard limit closes first), not wrong: a config may lower the
		// hard limit alone. The command line refuses it (parseArgs).
		{"output-soft-limit above output-limit", func(c *Config) { c.OutputLimit, c.OutputSoftLimit = 100, 1000 }, ""},
		{"output-soft-limit at output-limit", func(c *Config) { c.OutputLimit, c.OutputSoftLimit = 100, 100 }, ""},
		{"output-soft-limit without output-limit", func(c *Config) { c.OutputLimit, c.OutputSoftLimit = 0, 1000 }, ""},
		{"output-soft-limit 0", func(c *Config) { c.OutputLimit, c.OutputSoftLimit = 100, 0 }, ""},
		{"send-buffer negative", func(c *Config) { c.SendBuffer = -1 }, "-send-buffer: -1 is negative"},
		{"send-buffer", func(c *Config) { c.SendBuffer = 64 << 10 }, ""},
		{"listen with a signed port", func(c *Config) { c.Listeners = []Listener{{Behavior: "echo", Addr: "127.0.0.1:+80"}} },
			"-listen: echo=127.0.0.1:+80: want BEHAVIOR=HOST:PORT"},
		{"tls-cert with no TLS listener", func(c *Config) {
			c.Listeners = []Listener{{Behavior: "http", Addr: "127.0.0.1:0"}, {Behavior: "echo", Addr: "127.0.0.1:0"}}
			c.TLSCert, c.TLSKey = "cert.pem", "key.pem"
		}, "-tls-cert, -tls-key: given, but no -listen entry ends in ,tls"},
		{"tls-cert alone with no TLS listener", func(c *Config) {
			c.Listeners = []Listener{{Behavior: "http", Addr: "127.0.0.1:0"}}
			c.TLSCert = "cert.pem"
		}, "-tls-cert: given, but no -listen entry ends in ,tls"},
		{"tls-cert with a TLS listener", func(c *Config) { // past the check: the files are loaded
			c.Listeners = []Listener{{Behavior: "http", Addr: "127.0.0.1:0", TLS: true}, {Behavior: "echo", Addr: "127.0.0.1:0"}}
			c.TLSCert, c.TLSKey = "/nonexistent/cert.pem", "/nonexistent/key.pem"
		}, "-tls-cert /nonexistent/cert.pem, -tls-key /nonexistent/key.pem:"},
		{"tls-cert with the one listener", func(c *Config) { c.TLSCert, c.TLSKey = "/nonexistent/cert.pem", "/nonexistent/key.pem" },
			"-tls-cert /nonexistent/cert.pem, -tls-key /nonexistent/key.pem:"},
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Log.File = filepath.Join(dir, "server.log")
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

// TestPortNumber ensures a port is decimal digits only, from 0 to 65535: no
// sign, no space (strconv.Atoi alone takes "+80").
func TestPortNumber(t *testing.T) {
	tests := []struct {
		s  string
		n  int
		ok bool
	}{
		{"0", 0, true}, {"80", 80, true}, {"08080", 8080, true}, {"65535", 65535, true},
		{"", 0, false}, {"+80", 0, false}, {"-1", 0, false}, {" 80", 0, false}, {"80 ", 0, false},
		{"65536", 0, false}, {"99999999999999999999", 0, false}, {"http", 0, false}, {"0x50", 0, false},
	}
	for _, tt := range tests {
		if n, ok := PortNumber(tt.s); ok != tt.ok || (ok && n != tt.n) {
			t.Errorf("PortNumber(%q) = %d, %v; want %d, %v", tt.s, n, ok, tt.n, tt.ok)
		}
	}
}
