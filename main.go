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
	"syscall"
	"time"

	"async_server/actors"
	"async_server/admin"
	"async_server/cluster"
	"async_server/logs"

	"github.com/sirupsen/logrus"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // could not start, or stopped by a failure or a forced exit
	exitUsage   = 2 // bad command line
	// a cluster node lost its membership (its etcd lease), or could not
	// reach etcd at start: its grains may live elsewhere now; restart it
	exitLeaseLost = cluster.ExitLeaseLost
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
	if cmd.version {
		fmt.Fprintln(stdout, version())
		return exitOK
	}
	stopProfile, ok := startProfile(cmd.cpuProfile, stderr)
	if !ok {
		return exitFailure
	}
	defer stopProfile() // the last thing run does: the profile covers the shutdown
	// Signals are caught before the listener opens, so a client that connects as
	// soon as the ready line appears can count on a graceful shutdown.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, shutdownSignals()...)
	defer signal.Stop(signals)
	// Standard error may be a pipe to a program that has gone (piped to tee,
	// and the terminal closed): a write to it must fail, not kill the server
	// with SIGPIPE in the middle of its shutdown.
	signal.Ignore(syscall.SIGPIPE)

	srv, code := startServer(cmd.Config, stderr)
	if srv == nil {
		return code
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
	printReady(stdout, srv, cmd.Config, adm) // once everything listens
	return waitForShutdown(srv, cmd.Config, signals, stderr)
}

// startServer starts the server that cfg describes. When it cannot, it says
// why on stderr and returns no server and the exit status for the cause: a
// log file that cannot be written is a usage error (as a -log-file in a
// missing directory), a cluster that cannot be joined has its own status.
func startServer(cfg actors.Config, stderr io.Writer) (*actors.Server, int) {
	srv, err := actors.Start(cfg)
	if errors.Is(err, logs.ErrUnwritable) {
		fmt.Fprintf(stderr, "async_server: %v\nRun 'async_server -h' for usage.\n", err)
		return nil, exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "async_server: %v\n", err)
		if errors.Is(err, cluster.ErrUnavailable) {
			return nil, exitLeaseLost
		}
		return nil, exitFailure
	}
	return srv, exitOK
}

// printReady writes the ready lines on stdout, one a listener (its
// behavior, address, TLS and log file) and the admin endpoint's if adm is
// not nil: once they appear, a client may connect.
func printReady(stdout io.Writer, srv *actors.Server, cfg actors.Config, adm *admin.Admin) {
	for i, a := range srv.Addrs() {
		secure := ""
		if servesTLS(cfg, i) {
			secure = " with TLS"
		}
		fmt.Fprintf(stdout, "async_server: %s listening on %s%s (log: %s)\n", srv.Behaviors()[i], a, secure, cfg.Log.File)
	}
	if adm != nil {
		fmt.Fprintf(stdout, "async_server: admin listening on %s\n", adm.Addr())
	}
}

// servesTLS reports whether the i-th listener of cfg (in the order of
// Server.Addrs) serves TLS: the one listener when a certificate is given,
// else each -listen marked ,tls.
func servesTLS(cfg actors.Config, i int) bool {
	if len(cfg.Listeners) == 0 {
		return cfg.TLSCert != ""
	}
	return cfg.Listeners[i].TLS
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
		case err := <-srv.Cluster().Lost():
			fmt.Fprintf(stderr, "async_server: cluster membership lost: %v: exiting\n", err)
			logForced(srv, "cluster membership lost: exiting now", logrus.Fields{"error": err.Error()})
			return exitLeaseLost
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
