// Command async_server is a supervised, actor-style concurrent TCP server: an
// acceptor actor per listener, one actor per connection, a supervisor that
// restarts or stops connections by categorized errors, a graceful shutdown on
// CTRL+C, and a logger actor that writes server.log. See README.md.
//
//	async_server [flags] [port]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"async_server/actors"
	"async_server/admin"
	"async_server/behaviors"
	"async_server/behaviors/web"

	"github.com/sirupsen/logrus"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // could not start, or stopped by a failure or a forced exit
	exitUsage   = 2 // bad command line
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs explicit.
func run(args []string, stdout, stderr io.Writer) int {
	cmd, err := parseArgs(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "async_server: %v\nRun 'async_server -h' for usage.\n", err)
		return exitUsage
	}
	// Signals are caught before the listener opens, so a client that connects as
	// soon as the ready line appears can count on a graceful shutdown.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, shutdownSignals()...)
	defer signal.Stop(signals)
	// Standard error may be a pipe to a program that has gone (piped to tee,
	// and the terminal closed): a write to it must fail, not kill the server
	// with SIGPIPE in the middle of its shutdown.
	signal.Ignore(syscall.SIGPIPE)

	srv, err := actors.Start(cmd.Config)
	if err != nil {
		fmt.Fprintf(stderr, "async_server: %v\n", err)
		return exitFailure
	}
	var adm *admin.Admin
	if cmd.admin != "" {
		if adm, err = startAdmin(srv, cmd.admin, stderr); err != nil {
			return exitFailure
		}
		// Closed once the server is done, so that a stream carries the
		// shutdown's last events; its streams end then.
		defer adm.Close()
	}
	// The ready lines come once everything listens.
	for i, a := range srv.Addrs() {
		fmt.Fprintf(stdout, "async_server: %s listening on %s (log: %s)\n", srv.Behaviors()[i], a, cmd.Log.File)
	}
	if adm != nil {
		fmt.Fprintf(stdout, "async_server: admin listening on %s\n", adm.Addr())
	}
	return waitForShutdown(srv, cmd.Config, signals, stderr)
}

// shutdownSignals are the signals that start the graceful shutdown: CTRL+C,
// SIGTERM, and SIGHUP (the terminal closed), unless SIGHUP is ignored, as under
// nohup: then it stays ignored (signal.Notify would undo that).
func shutdownSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// waitForShutdown runs the server until it stops by itself or a signal arrives.
// The first signal starts the graceful shutdown; a second forces an immediate
// exit. If the tree has not stopped well after the shutdown timeout, it exits
// anyway. A forced exit says so in the log too (logForced).
func waitForShutdown(srv *actors.Server, cfg actors.Config, signals <-chan os.Signal, stderr io.Writer) int {
	var deadline <-chan time.Time
	for {
		select {
		case <-srv.Done():
			if err := srv.Err(); err != nil {
				fmt.Fprintf(stderr, "async_server: stopped: %v\n", err)
				return exitFailure
			}
			return exitOK
		case sig := <-signals:
			if deadline != nil {
				fmt.Fprintf(stderr, "async_server: %v again: exiting now\n", sig)
				logForced(srv, "second signal: exiting now without draining", logrus.Fields{"signal": sig.String()})
				return exitFailure
			}
			fmt.Fprintf(stderr, "async_server: %v: shutting down (again to force)\n", sig)
			srv.Shutdown()
			// The root closes what is left at the timeout; this is the last resort.
			deadline = time.After(cfg.ShutdownTimeout + 5*time.Second)
		case <-deadline:
			fmt.Fprintln(stderr, "async_server: shutdown did not finish: exiting")
			logForced(srv, "shutdown did not finish: exiting now", logrus.Fields{"timeout": cfg.ShutdownTimeout.String()})
			return exitFailure
		}
	}
}

// logForced logs one last entry, at error level, for an exit that does not
// wait for the shutdown: without it the log of a forced exit would end at
// "shutdown started". The entry goes through the logger actor, the log's one
// writer, like every other, and logForced waits at most forcedLogWait for it
// to be written: a second CTRL+C must not hang on the disk that may be what
// stalled the shutdown. Entries still queued for the logger actor go out
// before it; any logged after it may follow it.
func logForced(srv *actors.Server, msg string, fields logrus.Fields) {
	srv.Log().WithFields(fields).Error(msg)
	srv.SyncLog(forcedLogWait)
}

// forcedLogWait bounds logForced's wait for the logger actor.
const forcedLogWait = time.Second

// command is what the command line asks for: the server's config, and the
// admin endpoint's address ("" for none).
type command struct {
	actors.Config
	admin string
}

// parseArgs maps the command line onto a command. Flags may come before
// and after the positional port. -h writes the usage to help (standard output,
// so that "async_server -h | less" works) and returns flag.ErrHelp. A bad command
// line writes nothing: run prints the error once, with a hint, on standard error.
func parseArgs(args []string, help io.Writer) (command, error) {
	cmd := command{Config: actors.DefaultConfig()}
	cfg := &cmd.Config
	fs := flag.NewFlagSet("async_server", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the flag package would print the error and the whole usage
	fs.Usage = func() {}
	port := fs.String("port", strconv.Itoa(cfg.Port), "TCP port to listen on, 0 for any free port (or give it as the argument)")
	fs.StringVar(&cfg.Host, "host", cfg.Host, "address to listen on")
	fs.StringVar(&cfg.Behavior, "behavior", cfg.Behavior, "connection behavior (protocol): "+strings.Join(behaviors.Names(), ", "))
	fs.StringVar(&cfg.Log.File, "log-file", cfg.Log.File, "log file, appended to (- for standard error)")
	fs.StringVar(&cfg.Log.Format, "log-format", cfg.Log.Format, "log format: text or json")
	fs.StringVar(&cfg.Log.Level, "log-level", cfg.Log.Level, "least level logged: error, warn, info, debug or trace")
	fs.IntVar(&cfg.Log.MaxSize, "log-max-size", cfg.Log.MaxSize, "rotate the log file when it would pass this many megabytes, renaming it NAME-TIMESTAMP.EXT (0: never rotate)")
	fs.IntVar(&cfg.Log.MaxBackups, "log-max-backups", cfg.Log.MaxBackups, "rotated log files to keep, the oldest removed first; needs -log-max-size (0: keep all)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "open connections per listener, at least 1; at the limit an idle connection is closed to admit a new client, else -at-limit applies")
	fs.StringVar(&cfg.AtLimit, "at-limit", cfg.AtLimit, "at -max-conns with no idle connection to close: queue (new clients wait in the kernel backlog) or reject (a new client gets the behavior's busy reply, e.g. HTTP 503, and is closed)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close a connection that sends nothing for this long (0: never)")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "close a connection whose peer takes no data for this long (0: never)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on CTRL+C, wait this long for connections to finish, then close them (0: close them at once)")
	fs.Int64Var(&cfg.OutputLimit, "output-limit", cfg.OutputLimit, "bytes other actors (services) may queue for one connection; past it the connection is closed (0: no limit)")
	fs.Int64Var(&cfg.OutputSoftLimit, "output-soft-limit", cfg.OutputSoftLimit, "bytes queued for one connection that close it when exceeded for a minute, at most -output-limit (0: no limit; off when -output-limit alone is set below it)")
	fs.Var((*listenFlag)(&cfg.Listeners), "listen", "serve BEHAVIOR on HOST:PORT, as BEHAVIOR=HOST:PORT (a bare :PORT is 127.0.0.1, 0.0.0.0:PORT every interface; add ,tls for TLS with -tls-cert and -tls-key); repeat it for several listeners, which then replace -host, -port, -behavior and the port argument")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "PEM certificate (chain) file: serve TLS (the one listener, or each -listen marked ,tls)")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "PEM private key file of -tls-cert")
	httpOnly := httpFlags(fs, &cfg.Options.HTTP)
	observeFlags(fs, &cmd)
	hintDurations(fs)

	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		usage(fs, help)
	}
	if err != nil {
		return cmd, err
	}
	// Names are case-insensitive, as logrus has always taken its level names.
	cfg.Behavior, cfg.Log.Format, cfg.Log.Level, cfg.AtLimit = strings.ToLower(cfg.Behavior),
		strings.ToLower(cfg.Log.Format), strings.ToLower(cfg.Log.Level), strings.ToLower(cfg.AtLimit)
	if cfg.Port, err = portOf(fs, *port, positional); err != nil {
		return cmd, err
	}
	if err := checkOutputLimits(fs, cfg); err != nil {
		return cmd, err
	}
	if len(cfg.Listeners) > 0 && (len(positional) > 0 || isSet(fs, "port") || isSet(fs, "host") || isSet(fs, "behavior")) {
		return cmd, errors.New("-listen replaces -host, -port, -behavior and the port argument: give one or the other")
	}
	if err := checkObserve(&cmd); err != nil {
		return cmd, err
	}
	if err := cfg.Validate(); err != nil {
		return cmd, err
	}
	return cmd, onlyFor(fs, httpOnly, "http", served(*cfg))
}

// checkOutputLimits refuses -output-soft-limit above the hard limit (both on):
// the hard limit would close the connection first, so the soft one would never
// apply. A hard limit set alone below the default soft one makes that one moot
// the same way: it is turned off rather than refused, as nobody asked for it.
func checkOutputLimits(fs *flag.FlagSet, cfg *actors.Config) error {
	if cfg.OutputLimit == 0 || cfg.OutputSoftLimit <= cfg.OutputLimit {
		return nil
	}
	if isSet(fs, "output-soft-limit") {
		return fmt.Errorf("output-soft-limit: %d is above -output-limit %d: it would never apply (0 turns it off)",
			cfg.OutputSoftLimit, cfg.OutputLimit)
	}
	cfg.OutputSoftLimit = 0
	return nil
}

// served lists the behaviors cfg serves.
func served(cfg actors.Config) []string {
	if len(cfg.Listeners) == 0 {
		return []string{cfg.Behavior}
	}
	var names []string
	for _, l := range cfg.Listeners {
		if !slices.Contains(names, l.Behavior) {
			names = append(names, l.Behavior)
		}
	}
	return names
}

// listenFlag is -listen BEHAVIOR=HOST:PORT, repeatable.
type listenFlag []actors.Listener

func (f *listenFlag) String() string {
	var specs []string
	for _, l := range *f {
		spec := l.Behavior + "=" + l.Addr
		if l.TLS {
			spec += ",tls"
		}
		specs = append(specs, spec)
	}
	return strings.Join(specs, " ")
}

// Set checks the form of one -listen value, BEHAVIOR=HOST:PORT with an
// optional ",tls" (in any case, as names are); actors.Config.Validate checks
// the behavior. The flag package quotes the whole value in front of the error.
func (f *listenFlag) Set(v string) error {
	b, rest, ok := strings.Cut(v, "=")
	addr, suffixes, hasSuffix := strings.Cut(rest, ",")
	if !ok || b == "" || addr == "" {
		return fmt.Errorf("%q is not BEHAVIOR=HOST:PORT or BEHAVIOR=HOST:PORT,tls", v)
	}
	secure := false
	if hasSuffix {
		for _, s := range strings.Split(suffixes, ",") {
			switch {
			case !strings.EqualFold(s, "tls"):
				return fmt.Errorf("unknown suffix %q after HOST:PORT: the only one is \",tls\"", ","+s)
			case secure:
				return errors.New("\",tls\" is given twice")
			}
			secure = true
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want BEHAVIOR=HOST:PORT: %q is not HOST:PORT", addr)
	} else if _, ok := actors.PortNumber(port); !ok {
		return fmt.Errorf("want BEHAVIOR=HOST:PORT with a port from 0 to 65535, not %q", port)
	}
	if host == "" { // as -host and -admin: loopback unless every interface is asked for (0.0.0.0, [::])
		addr = net.JoinHostPort(actors.DefaultConfig().Host, port)
	}
	*f = append(*f, actors.Listener{Behavior: strings.ToLower(b), Addr: addr, TLS: secure})
	return nil
}

// portOf returns the port given as -port (value) or as the one positional
// argument; both are fine when they name the same port.
func portOf(fs *flag.FlagSet, value string, positional []string) (int, error) {
	switch {
	case len(positional) > 1:
		return 0, fmt.Errorf("too many arguments: %q (want at most a port)", positional)
	case len(positional) == 1 && isSet(fs, "port"):
		if err := samePort(value, positional[0]); err != nil {
			return 0, err
		}
	case len(positional) == 1:
		value = positional[0]
	}
	return parsePort(value)
}

// onlyFor refuses a flag of names (a behavior's own) set on the command line when
// the behavior is not the one they belong to: "-behavior echo -max-body 5" would
// otherwise be accepted and silently do nothing.
func onlyFor(fs *flag.FlagSet, names []string, owner string, behaviors []string) error {
	if slices.Contains(behaviors, owner) {
		return nil
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && slices.Contains(names, f.Name) {
			err = fmt.Errorf("-%s is a flag of -behavior %s; it does nothing with -behavior %s", f.Name, owner,
				strings.Join(behaviors, ", "))
		}
	})
	return err
}

// negativeNumber matches an argument the flag package would take for a flag but
// that is a (bad) port, so that "-1" gets the port's error message.
var negativeNumber = regexp.MustCompile(`^-[0-9]+$`)

// parseInterleaved parses flags anywhere among args and returns the rest.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		for len(args) > 0 && negativeNumber.MatchString(args[0]) {
			positional, args = append(positional, args[0]), args[1:]
		}
		// Parse only up to the next negative number that is not a flag's value:
		// the flag package would take it for an undefined flag.
		end := len(args)
		for i := 1; i < len(args); i++ {
			if negativeNumber.MatchString(args[i]) && !takesValue(fs, args[i-1]) {
				end = i
				break
			}
		}
		if err := fs.Parse(args[:end]); err != nil {
			return nil, err
		}
		rest := fs.Args()
		args = append(slices.Clone(rest), args[end:]...)
		if len(args) == 0 {
			return positional, nil
		}
		if len(rest) > 0 {
			positional, args = append(positional, args[0]), args[1:]
		}
	}
}

// takesValue reports whether arg is a flag of fs that takes the next argument as
// its value ("-max-conns" does, "-max-conns=3" and bool flags do not).
func takesValue(fs *flag.FlagSet, arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimPrefix(name, "-"))
	if f == nil {
		return false
	}
	b, isBool := f.Value.(interface{ IsBoolFlag() bool })
	return !isBool || !b.IsBoolFlag()
}

// parsePort accepts a decimal port number from 0 to 65535, digits only: no
// sign ("+80" is refused, as "-1" is).
func parsePort(s string) (int, error) {
	n, ok := actors.PortNumber(s)
	if !ok {
		return 0, fmt.Errorf("invalid port %q: want a number from 0 to 65535, digits only", s)
	}
	return n, nil
}

// hintDurations makes every duration flag of fs refuse a bad value with why
// and an example ("missing unit in duration \"5\" (a duration needs a unit:
// 5s, 2m, 1h30m)") where the flag package says only "parse error". usage
// unwraps them again, so that -h still calls them durations.
func hintDurations(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if _, ok := g.Get().(time.Duration); ok {
				f.Value = durationHint{f.Value}
			}
		}
	})
}

// durationHint is a duration flag's value whose Set explains a refusal.
type durationHint struct{ flag.Value }

func (d durationHint) Set(s string) error {
	if _, err := time.ParseDuration(s); err != nil {
		return fmt.Errorf("%s (a duration needs a unit: 5s, 2m, 1h30m)", strings.TrimPrefix(err.Error(), "time: "))
	}
	return d.Value.Set(s)
}

// httpFlags defines the http behavior's flags on fs, writing into o, and returns
// their names: parseArgs refuses them with another behavior. Define every http
// flag through name, so the list cannot miss one.
func httpFlags(fs *flag.FlagSet, o *web.Options) (names []string) {
	name := func(n string) string { names = append(names, n); return n }
	*o = web.DefaultOptions()
	fs.StringVar(&o.Root, name("root"), o.Root, "http: directory to serve (default: the embedded site)")
	fs.Int64Var(&o.MaxBody, name("max-body"), o.MaxBody, "http: largest request body in bytes, buffered before the handler runs; larger ones get 413 (0: no limit)")
	fs.IntVar(&o.MaxHeaderBytes, name("max-header-bytes"), o.MaxHeaderBytes, "http: largest request line and header block in bytes; larger ones get 431 (0: no limit)")
	fs.DurationVar(&o.HeaderTimeout, name("header-timeout"), o.HeaderTimeout, "http: a request head must arrive within this long of its first byte, and a body progress as often, else 408 and close; also bounds the wait for a connection's first request (0: no limit)")
	fs.Int64Var(&o.MinBodyRate, name("min-body-rate"), o.MinBodyRate, "http: a request body must arrive at least this many bytes per second on average, counted from -header-timeout after its head, else 408 and close (0: no minimum; -header-timeout 0 turns it off too)")
	fs.DurationVar(&o.KeepAliveTimeout, name("keepalive-timeout"), o.KeepAliveTimeout, "http: close a keep-alive connection that starts no new request within this long of the last response (0: no limit; -idle-timeout still applies)")
	return names
}

// samePort accepts a port given both as -port and as the argument only when both
// are valid and name the same port.
func samePort(flagValue, arg string) error {
	a, err := parsePort(flagValue)
	if err != nil {
		return err
	}
	b, err := parsePort(arg)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("port given twice: -port %s and %s", flagValue, arg)
	}
	return nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// usage writes the help -h asks for to w.
func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `usage: async_server [flags] [port]

A supervised, actor-style TCP server. Each connection is an actor running the
chosen behavior; a supervisor restarts or stops it on errors; CTRL+C (or SIGTERM,
or SIGHUP when the terminal closes) shuts down gracefully, a second signal exits
at once. The port defaults to 7878.

Exit status: 0 after a clean shutdown, 1 when the server cannot start or stops on
a failure, 2 for a bad command line.

Sizes and durations: 0 turns the limit off (never, no limit); a negative value is
an error. Names (behavior, log format, log level, at-limit) may be given in any
case. Flags marked "http:" belong to -behavior http and are refused with any
other.

Flags:
`)
	fs.VisitAll(func(f *flag.Flag) {
		if d, ok := f.Value.(durationHint); ok {
			f.Value = d.Value // PrintDefaults names the type of the flag package's own values only
		}
	})
	fs.SetOutput(w)
	fs.PrintDefaults()
}
