package main

// The command line: the flags, what each maps onto, and the checks that refuse
// a bad command line before anything starts. main.go runs what it asks for.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"async_server/actors"
	"async_server/behaviors"
	"async_server/behaviors/resp"
	"async_server/behaviors/web"
)

// command is what the command line asks for: the server's config, and the
// admin endpoint's address ("" for none).
type command struct {
	actors.Config
	admin      string
	cpuProfile string // -cpuprofile: where to write a CPU profile of the run ("": none)
	version    bool   // -version: print the version and exit
}

// parseArgs maps the command line onto a command. Flags may come before
// and after the positional port. -h writes the usage to help (standard output,
// so that "async_server -h | less" works) and returns flag.ErrHelp. A bad command
// line writes nothing: run prints the error once, with a hint, on standard error.
func parseArgs(args []string, help io.Writer) (command, error) {
	cmd := command{Config: actors.DefaultConfig()}
	fs := flag.NewFlagSet("async_server", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the flag package would print the error and the whole usage
	fs.Usage = func() {}
	f := defineFlags(fs, &cmd)
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		usage(fs, help)
	}
	if err != nil || cmd.version {
		return cmd, err
	}
	return cmd, checkArgs(fs, &cmd, f, positional)
}

// parsedFlags is what defineFlags leaves for checkArgs besides the Config:
// the -port flag's text (the port may come as the argument instead) and
// the flags that belong to one behavior.
type parsedFlags struct {
	port                         *string
	httpOnly, respOnly, chatOnly []string
}

// defineFlags defines every flag on fs, each writing to cmd's Config (or
// cmd), with the Config's defaults.
func defineFlags(fs *flag.FlagSet, cmd *command) parsedFlags {
	cfg := &cmd.Config
	port := fs.String("port", strconv.Itoa(cfg.Port), "TCP port to listen on, 0 for any free port (or give it as the argument)")
	fs.StringVar(&cfg.Host, "host", cfg.Host, "address to listen on")
	fs.StringVar(&cfg.Behavior, "behavior", cfg.Behavior, "connection behavior (protocol): "+strings.Join(behaviors.Names(), ", "))
	fs.StringVar(&cfg.Log.File, "log-file", cfg.Log.File, "log file, appended to (- for standard error)")
	fs.StringVar(&cfg.Log.Format, "log-format", cfg.Log.Format, "log format: text or json")
	fs.StringVar(&cfg.Log.Level, "log-level", cfg.Log.Level, "least level logged: error, warn, info, debug or trace")
	countVar(fs, &cfg.Log.MaxSize, "log-max-size", maxLogSize, " megabytes: the rotation counts them in bytes, an int64", "rotate the log file when it would pass this many `megabytes` (decimal, at most 8796093022207), renaming it NAME-TIMESTAMP.EXT (0: never rotate)")
	countVar(fs, &cfg.Log.MaxBackups, "log-max-backups", math.MaxInt, "", "rotated log `files` to keep, the oldest removed first; needs -log-max-size (0: keep all)")
	countVar(fs, &cfg.MaxConns, "max-conns", math.MaxInt, "", "open `connections` per listener, at least 1; at the limit an idle connection is closed to admit a new client, else -at-limit applies")
	fs.StringVar(&cfg.AtLimit, "at-limit", cfg.AtLimit, "at -max-conns with no idle connection to close: queue (new clients wait in the kernel backlog) or reject (a new client gets the behavior's busy reply, e.g. HTTP 503, over TLS on a TLS listener after a handshake of at most 1 s, and is closed; past 64 rejections in flight per listener, closed without it)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "close a connection that sends nothing for this long (0: never; resp spares a client blocked or subscribed, as Redis does)")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "close a connection whose peer takes no data, or less than -min-send-rate, of a blocked write for this long (0: never)")
	sizeVar(fs, &cfg.MinSendRate, "min-send-rate", math.MaxInt64, "", "a peer must take at least this many `bytes` per second of a blocked write, over each -write-timeout (or all that was queued for it, if less), else it is closed (0: any byte acknowledged will do)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on CTRL+C, wait this long for connections to finish, then close them (0: close them at once)")
	sizeVar(fs, &cfg.OutputLimit, "output-limit", math.MaxInt64, "", "`bytes` other actors (services) may queue for one connection; past it the connection is closed (0: no limit)")
	sizeVar(fs, &cfg.MemoryBudget, "memory-budget", math.MaxInt64, "", "`bytes` every connection together may hold for its clients (buffered input: bodies, unfinished requests, lines; output queued for them); near it the connections holding the most are not read, past it the largest is closed (the default, below, is a quarter of the machine's or container's memory, since Go's heap may grow to twice what is live; 0: no budget)")
	sizeVar(fs, &cfg.SendBuffer, "send-buffer", maxSendBuffer, " (setsockopt's int); the kernel caps it at net.core.wmem_max, doubled, anyway",
		"each connection's kernel send buffer (SO_SNDBUF) in `bytes`, at most 2147483647, which the kernel caps at net.core.wmem_max (and doubles, as socket(7) says): the kernel holds at most about twice this of a slow reader's output, outside -memory-budget; fixing it turns off the kernel's autotuning, capping output at about twice this a round trip (0: the kernel's autotuning, up to net.ipv4.tcp_wmem's maximum)")
	sizeVar(fs, &cfg.OutputSoftLimit, "output-soft-limit", math.MaxInt64, "", "`bytes` queued for one connection that close it when exceeded for a minute, at most -output-limit (0: no limit; off when -output-limit alone is set below it)")
	fs.Var((*listenFlag)(&cfg.Listeners), "listen", "serve BEHAVIOR on HOST:PORT, as BEHAVIOR=HOST:PORT (a bare :PORT is 127.0.0.1, 0.0.0.0:PORT every interface; add ,tls for TLS with -tls-cert and -tls-key); repeat it for several listeners, which then replace -host, -port, -behavior and the port argument")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "PEM certificate (chain) file: serve TLS (the one listener, or each -listen marked ,tls)")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "PEM private key file of -tls-cert")
	fs.BoolVar(&cmd.version, "version", false, "print the version (module, commit, Go) and exit")
	f := parsedFlags{port: port, httpOnly: httpFlags(fs, &cfg.Options.HTTP), respOnly: respFlags(fs, &cfg.Options.RESP),
		chatOnly: chatFlags(fs, &cfg.Options.Chat)}
	observeFlags(fs, cmd)
	clusterFlags(fs, &cfg.Cluster)
	hintDurations(fs)
	return f
}

// checkArgs checks the flags parsed into cmd, and the positional
// arguments, and completes cmd.Config: the port, the names made lower case.
// Its errors name the flag at fault; the checks that need no flag set are
// the Config's own (Validate), which run here too.
func checkArgs(fs *flag.FlagSet, cmd *command, f parsedFlags, positional []string) (err error) {
	cfg := &cmd.Config
	// Names are case-insensitive, as logrus has always taken its level names.
	cfg.Behavior, cfg.Log.Format, cfg.Log.Level, cfg.AtLimit = strings.ToLower(cfg.Behavior),
		strings.ToLower(cfg.Log.Format), strings.ToLower(cfg.Log.Level), strings.ToLower(cfg.AtLimit)
	if cfg.Port, err = portOf(fs, *f.port, positional); err != nil {
		return err
	}
	if cfg.Host == "" {
		return errors.New(`-host: empty; give an address, or 0.0.0.0 for every interface`)
	}
	if err := checkOutputLimits(fs, cfg); err != nil {
		return err
	}
	if len(cfg.Listeners) > 0 && (len(positional) > 0 || isSet(fs, "port") || isSet(fs, "host") || isSet(fs, "behavior")) {
		return errors.New("-listen replaces -host, -port, -behavior and the port argument: give one or the other")
	}
	if err := checkObserve(cmd); err != nil {
		return err
	}
	if err := resp.CheckPolicy(cfg.Options.RESP.MaxMemoryPolicy); err != nil && slices.Contains(served(*cfg), "resp") {
		return fmt.Errorf("-maxmemory-policy: %w", err) // before Validate's, which names no flag
	}
	if n := cfg.Options.RESP.MaxBulkLen; n < resp.MinMaxBulkLen && slices.Contains(served(*cfg), "resp") {
		return fmt.Errorf("-proto-max-bulk-len: %d is below 1048576 (1mb), the least Redis takes", n)
	}
	if err := checkCluster(fs, cfg.Cluster); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := listenClash(cfg.Listeners); err != nil {
		return err
	}
	if err := checkLogAccess(cfg.Log.File); err != nil {
		return err
	}
	if err := nodeAddrClash(cmd); err != nil {
		return err
	}
	if err := onlyFor(fs, f.respOnly, "resp", served(*cfg)); err != nil {
		return err
	}
	if err := onlyFor(fs, f.chatOnly, "chat", served(*cfg)); err != nil {
		return err
	}
	if err := onlyFor(fs, f.httpOnly, "http", served(*cfg)); err != nil {
		return err
	}
	return clusterShares(cfg.Cluster, served(*cfg))
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
		return fmt.Errorf("-output-soft-limit: %d is above -output-limit %d: it would never apply (0 turns it off)",
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

// httpFlags defines the http behavior's flags on fs, writing into o, and returns
// their names: parseArgs refuses them with another behavior. Define every http
// flag through name, so the list cannot miss one.
func httpFlags(fs *flag.FlagSet, o *web.Options) (names []string) {
	name := func(n string) string { names = append(names, n); return n }
	*o = web.DefaultOptions()
	fs.StringVar(&o.Root, name("root"), o.Root, "http: directory to serve (default: the embedded site)")
	sizeVar(fs, &o.MaxBody, name("max-body"), math.MaxInt64, "", "http: largest request body in `bytes`, buffered before the handler runs; larger ones get 413 (0: no limit)")
	sizeVar(fs, &o.MaxHeaderBytes, name("max-header-bytes"), math.MaxInt, "", "http: largest request line and header block in `bytes`; larger ones get 431 (0: no limit)")
	fs.DurationVar(&o.HeaderTimeout, name("header-timeout"), o.HeaderTimeout, "http: a request head must arrive within this long of its first byte, and a body progress as often, else 408 and close; also bounds the wait for a connection's first request (0: no limit)")
	sizeVar(fs, &o.MinBodyRate, name("min-body-rate"), math.MaxInt64, "", "http: a request body must keep arriving at least this many `bytes` per second, over the last -header-timeout (bytes sent fast earn no more than that much credit), else 408 and close (0: no minimum; -header-timeout 0 turns it off too)")
	fs.DurationVar(&o.KeepAliveTimeout, name("keepalive-timeout"), o.KeepAliveTimeout, "http: close a keep-alive connection that starts no new request within this long of the last response (0: no limit; -idle-timeout still applies)")
	return names
}

// respFlags defines the resp behavior's flags on fs, writing into o, and
// returns their names (see httpFlags).
func respFlags(fs *flag.FlagSet, o *resp.Options) (names []string) {
	name := func(n string) string { names = append(names, n); return n }
	*o = resp.DefaultOptions()
	fs.StringVar(&o.RequirePass, name("requirepass"), o.RequirePass, "resp: password clients must give with AUTH (or HELLO ... AUTH) before any other command (empty: none)")
	fs.Var((*memoryFlag)(&o.MaxMemory), name("maxmemory"), "resp: `bytes` of data (as the key space counts them: docs/resp.md) past which keys are evicted by -maxmemory-policy, or commands that add data get Redis's OOM error; a number with an optional unit as redis.conf's, in any case: b, k (1000), kb (1024), m, mb, g, gb, e.g. 100mb (0: no limit)")
	fs.StringVar(&o.MaxMemoryPolicy, name("maxmemory-policy"), "noeviction", "resp: past -maxmemory, noeviction (refuse commands that add data), allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random or volatile-ttl (Redis's, with its sampled LRU and LFU)")
	fs.Var((*memoryFlag)(&o.MaxBulkLen), name("proto-max-bulk-len"), "resp: largest bulk string a client may send, in `bytes` (Redis's proto-max-bulk-len), with -maxmemory's units; at least 1mb, as Redis's")
	return names
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
a failure, 2 for a bad command line, 3 when a cluster node loses its membership
(its etcd lease) or cannot reach etcd at start.

Numbers are decimal ("0100" is 100; no 0x, no _). A size in bytes takes an
optional unit as redis.conf's, in any case: b, k (1000), kb (1024), m, mb, g,
gb, e.g. 64kb. Sizes and durations: 0 turns the limit off (never, no limit)
unless the flag says otherwise below; a negative value is an error. Names (behavior, log
format, log level, at-limit) may be given in any case. Flags marked "http:",
"chat:" or "resp:" belong to that behavior and are refused with any other.

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
