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
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"async_server/actors"
	"async_server/behaviors"
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
	cfg, err := parseArgs(args, stderr)
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
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	srv, err := actors.Start(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "async_server: %v\n", err)
		return exitFailure
	}
	for _, a := range srv.Addrs() {
		fmt.Fprintf(stdout, "async_server: %s listening on %s (log: %s)\n", cfg.Behavior, a, cfg.Log.File)
	}
	return waitForShutdown(srv, cfg.ShutdownTimeout, signals, stderr)
}

// waitForShutdown runs the server until it stops by itself or a signal arrives.
// The first signal starts the graceful shutdown; a second forces an immediate
// exit. If the tree has not stopped well after the shutdown timeout, it exits
// anyway.
func waitForShutdown(srv *actors.Server, timeout time.Duration, signals <-chan os.Signal, stderr io.Writer) int {
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
				return exitFailure
			}
			fmt.Fprintf(stderr, "async_server: %v: shutting down (again to force)\n", sig)
			srv.Shutdown()
			// The root closes what is left at the timeout; this is the last resort.
			deadline = time.After(timeout + 5*time.Second)
		case <-deadline:
			fmt.Fprintln(stderr, "async_server: shutdown did not finish: exiting")
			return exitFailure
		}
	}
}

// parseArgs maps the command line onto an actors.Config. Flags may come before
// and after the positional port.
func parseArgs(args []string, stderr io.Writer) (actors.Config, error) {
	cfg := actors.DefaultConfig()
	fs := flag.NewFlagSet("async_server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs, stderr) }
	port := fs.String("port", strconv.Itoa(cfg.Port), "TCP port to listen on, 0 for any free port (or give it as the argument)")
	fs.StringVar(&cfg.Host, "host", cfg.Host, "address to listen on")
	fs.StringVar(&cfg.Behavior, "behavior", cfg.Behavior, "connection behavior (protocol): "+strings.Join(behaviors.Names(), ", "))
	fs.StringVar(&cfg.Log.File, "log-file", cfg.Log.File, "log file, appended to (- for standard error)")
	fs.StringVar(&cfg.Log.Format, "log-format", cfg.Log.Format, "log format: text or json")
	fs.StringVar(&cfg.Log.Level, "log-level", cfg.Log.Level, "least level logged: error, warn, info, debug or trace")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "open connections per listener; at the limit new clients wait in the kernel backlog")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close a connection that sends nothing for this long (0: never)")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "close a connection whose peer takes no data for this long (0: never)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on CTRL+C, wait this long for connections to finish, then close them")
	httpFlags(fs, &cfg.Options.HTTP)

	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return cfg, err
	}
	switch {
	case len(positional) > 1:
		return cfg, fmt.Errorf("too many arguments: %q (want at most a port)", positional)
	case len(positional) == 1 && isSet(fs, "port"):
		if err := samePort(*port, positional[0]); err != nil {
			return cfg, err
		}
	case len(positional) == 1:
		*port = positional[0]
	}
	if cfg.Port, err = parsePort(*port); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
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

// parsePort accepts a decimal port number from 0 to 65535.
func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("invalid port %q: want a number from 0 to 65535", s)
	}
	return n, nil
}

// httpFlags defines the http behavior's flags on fs, writing into o.
func httpFlags(fs *flag.FlagSet, o *behaviors.HTTPOptions) {
	o.MaxBody, o.MaxHeaderBytes, o.HeaderTimeout =
		behaviors.DefaultMaxBody, behaviors.DefaultMaxHeaderBytes, behaviors.DefaultHeaderTimeout
	fs.StringVar(&o.Root, "root", o.Root, "http: directory to serve (default: the embedded site)")
	fs.Int64Var(&o.MaxBody, "max-body", o.MaxBody, "http: largest request body in bytes; larger ones get 413")
	fs.IntVar(&o.MaxHeaderBytes, "max-header-bytes", o.MaxHeaderBytes, "http: largest request line and header block in bytes; larger ones get 431")
	fs.DurationVar(&o.HeaderTimeout, "header-timeout", o.HeaderTimeout, "http: a request head must arrive within this long of its first byte, else 408 and close")
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

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `usage: async_server [flags] [port]

A supervised, actor-style TCP server. Each connection is an actor running the
chosen behavior; a supervisor restarts or stops it on errors; CTRL+C (or SIGTERM)
shuts down gracefully, a second CTRL+C exits at once. The port defaults to 7878.

Exit status: 0 after a clean shutdown, 1 when the server cannot start or stops on
a failure, 2 for a bad command line.

Flags:
`)
	fs.PrintDefaults()
}
