package testkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/internal/leakcheck"
)

// DefaultTimeout bounds every wait of the kit. A wait that succeeds returns as
// soon as it can, so the bound only matters when a test fails; it is generous
// because CI machines running -race are slow and shared.
const DefaultTimeout = 10 * time.Second

// Server is a running async_server started by Start or StartProtocol. The
// embedded *actors.Server gives its Hub, Inject and the rest.
type Server struct {
	*actors.Server
	Addr    string        // the host:port it listens on
	LogPath string        // its log file, in t.TempDir()
	Timeout time.Duration // bounds every wait on this server and its clients

	// stopWait bounds Close's wait: the graceful shutdown may take up to the
	// config's ShutdownTimeout before it forces, and then Timeout more.
	stopWait time.Duration
	t        testing.TB
	rec      *recorder
	before   goleak.Option // the goroutines that ran before the server started
	closed   bool
}

// Option adjusts how a server is started.
type Option func(*settings)

type settings struct {
	cfg     actors.Config
	timeout time.Duration
	misuse  string // why an option cannot be applied: the start fails with it
}

// WithConfig lets f adjust the server's config (limits, timeouts, options of
// the behavior) after the kit has set its own fields. A nil f fails the
// start, saying so: it is a function the test meant to give, not "no change".
func WithConfig(f func(*actors.Config)) Option {
	return func(s *settings) {
		if f == nil {
			s.misuse = "WithConfig(nil): give a function that adjusts the config"
			return
		}
		f(&s.cfg)
	}
}

// WithServices declares the service actors a Factory given to StartProtocol
// talks to (protocol.Setup.Services).
func WithServices(services ...protocol.Service) Option {
	return func(s *settings) { s.cfg.Services = append(s.cfg.Services, services...) }
}

// WithTimeout replaces DefaultTimeout for the server's waits and its clients'.
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.timeout = d } }

// Start starts a server running the registered behavior called name (see
// behaviors.Names) on 127.0.0.1 port 0. It is shut down when the test ends.
func Start(t testing.TB, name string, opts ...Option) *Server {
	t.Helper()
	return start(t, func(cfg *actors.Config) { cfg.Behavior = name }, opts)
}

// StartProtocol starts a server whose connections run the behaviors f makes
// (a behavior of the test's own, registered or not); WithServices adds the
// services they need. Its log and events name the behavior "custom" (not the
// default, http, which it does not run); WithConfig may set Config.Behavior to
// name it otherwise. A nil f fails the test at once. It is shut down when the
// test ends.
func StartProtocol(t testing.TB, f protocol.Factory, opts ...Option) *Server {
	t.Helper()
	if f == nil {
		t.Fatalf("testkit: StartProtocol: the Factory is nil")
	}
	return start(t, func(cfg *actors.Config) { cfg.Protocol, cfg.Behavior = f, "custom" }, opts)
}

func start(t testing.TB, behavior func(*actors.Config), opts []Option) *Server {
	t.Helper()
	s := settings{cfg: Config(t), timeout: DefaultTimeout}
	behavior(&s.cfg)
	for _, o := range opts {
		o(&s)
	}
	if s.misuse != "" {
		t.Fatalf("testkit: %s", s.misuse)
	}
	s.cfg.Observe = true // every wait reads the observatory's events
	before := goleak.IgnoreCurrent()
	srv, err := actors.Start(s.cfg)
	if err != nil {
		t.Fatalf("testkit: starting the server: %v", configError(err))
	}
	ks := &Server{Server: srv, Addr: srv.Addrs()[0].String(), LogPath: s.cfg.Log.File,
		Timeout: s.timeout, stopWait: s.cfg.ShutdownTimeout + s.timeout, t: t, rec: record(srv.Hub()), before: before}
	t.Cleanup(ks.Close)
	return ks
}

// configError says what is wrong with a config in the kit's terms: a field
// of actors.Config that Validate refuses is named as a test sets it
// (Config.MaxConns), not by the command-line flag that sets it (-max-conns);
// an unknown behavior is the name given to Start (or Config.Behavior).
func configError(err error) error {
	var fe *actors.FieldError
	switch {
	case !errors.As(err, &fe):
		return err
	case fe.Field == "Behavior":
		return fe.Err
	}
	return fmt.Errorf("Config.%s: %w", fe.Field, fe.Err)
}

// Config is the configuration a test server starts from: the defaults, on
// 127.0.0.1 port 0, its log at debug level in a file in t.TempDir().
func Config(t testing.TB) actors.Config {
	cfg := actors.DefaultConfig()
	cfg.Port = 0
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	cfg.Log.Level = "debug"
	return cfg
}

// Close shuts the server down gracefully, waits until it is done, and fails
// the test if a goroutine started since the server did is still running. The
// test's end calls it; calling it again does nothing.
func (s *Server) Close() {
	s.t.Helper()
	if s.closed {
		return
	}
	s.closed = true
	s.Shutdown()
	select {
	case <-s.Done():
	case <-time.After(s.stopWait):
		s.rec.stop()
		s.t.Fatalf("testkit: the server did not stop within %v", s.stopWait)
	}
	s.rec.stop()
	if err := leakcheck.Find(s.before); err != nil {
		s.t.Errorf("testkit: goroutines outlived the server: %v", err)
	}
}

// Log returns the lines of the server's log as they are now. The logger
// writes a little after the fact: to wait for a line, use WaitLog.
func (s *Server) Log() []string {
	s.t.Helper()
	b, err := os.ReadFile(s.LogPath)
	if err != nil {
		s.t.Fatalf("testkit: reading the log: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// WaitLog waits until a line of the log contains every one of parts, and
// returns it.
func (s *Server) WaitLog(parts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(s.Timeout)
	tick := time.NewTicker(10 * time.Millisecond) // the log file has no change notice
	defer tick.Stop()
	for {
		for _, line := range s.Log() {
			if containsAll(line, parts) {
				return line
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("testkit: no log line with %q within %v", parts, s.Timeout)
		}
		<-tick.C
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
