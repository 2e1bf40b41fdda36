// Command echobench measures echo round trips per second through async_server
// -behavior echo beside bench/plainecho (a goroutine per connection) and,
// with -gnet, bench/gnetecho, as issue 15 asks: the servers pinned to one
// core and the client to another (taskset), each connection count measured
// in rounds of A B B A (ours, plain, plain, ours; with gnet A B C C B A), so
// that a machine that slows down or speeds up during a round weighs on every
// side alike. It prints each side's mean round trips per second, its ratio
// to plain's (above 1: more than plain), and each server's CPU time per round
// trip.
//
//	go build -o async_server . && (cd bench && go run ./echobench -server ../async_server)
//
// The client is echobench itself (-client), re-run under taskset: each
// connection writes -size bytes and reads them back, in a loop, for -d after
// a warm-up of a quarter of -d; all connections from one epoll loop (-loop,
// the default: it spends less per round trip than the servers, so that they
// set the pace) or each from a goroutine (-loop=false, which at 100
// connections spends about what plainecho does and holds every server to
// the same rate). It needs taskset on the PATH (Debian: util-linux);
// plainecho and gnetecho are built from this module.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"async_server/bench/pinproc"
)

type config struct {
	server, plain, gnet  string
	serverCPU, clientCPU int
	conns                []int
	dur                  time.Duration
	rounds, size         int
	loop                 bool // the client runs every connection from one epoll loop
}

func main() {
	var cfg config
	var conns, client string
	var withGnet bool
	flag.StringVar(&cfg.server, "server", "./async_server", "the async_server binary")
	flag.IntVar(&cfg.serverCPU, "server-cpu", 0, "core the servers run on (-1: not pinned)")
	flag.IntVar(&cfg.clientCPU, "client-cpu", 1, "core the client runs on (-1: not pinned)")
	flag.StringVar(&conns, "conns", "1,100", "connection counts, comma-separated")
	flag.DurationVar(&cfg.dur, "d", 3*time.Second, "how long each side is measured, per run")
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds of A B B A per connection count")
	flag.IntVar(&cfg.size, "size", 64, "bytes per round trip")
	flag.BoolVar(&withGnet, "gnet", false, "measure bench/gnetecho too")
	flag.BoolVar(&cfg.loop, "loop", true, "the client makes every connection's round trips from one epoll loop (false: a goroutine per connection)")
	flag.StringVar(&client, "client", "", "run as the client against this address (used by echobench itself)")
	flag.Parse()
	if client != "" {
		n, _ := strconv.Atoi(flag.Arg(0))
		if err := runClient(client, n, cfg.size, cfg.dur, cfg.loop, os.Stdout); err != nil {
			log.Fatalf("echobench client: %v", err)
		}
		return
	}
	for _, c := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			log.Fatalf("echobench: bad connection count %q", c)
		}
		cfg.conns = append(cfg.conns, n)
	}
	if cfg.rounds < 1 || cfg.dur <= 0 || cfg.size < 1 {
		log.Fatal("echobench: -rounds, -d and -size must be positive")
	}
	dir, err := os.MkdirTemp("", "echobench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if cfg.plain, err = build(dir, "plainecho"); err != nil {
		log.Fatal(err)
	}
	if withGnet {
		if cfg.gnet, err = build(dir, "gnetecho"); err != nil {
			log.Fatal(err)
		}
	}
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatalf("echobench: %v", err)
	}
}

// build builds the command in ./name (this module's) into dir.
func build(dir, name string) (string, error) {
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, "./"+name)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s (run echobench from the bench directory): %w", name, err)
	}
	return out, nil
}

// side is one server measured: its command line (the port is appended) and
// what its runs added up to.
type side struct {
	name  string
	args  []string
	trips float64       // round trips per second, summed over runs
	runs  int           // runs measured
	cpu   time.Duration // server CPU over every run
	total int64         // round trips over every run, warm-up included
}

// run measures every connection count and prints one table for each.
func run(cfg config, out io.Writer) error {
	host, _ := os.Hostname()
	how := "one epoll loop"
	if !cfg.loop {
		how = "a goroutine per connection"
	}
	fmt.Fprintf(out, "echobench: %s, %d cores; servers on cpu %d, client (%s) on cpu %d; %d-byte round trips, %v per run, %d rounds\n",
		host, pinproc.NumCPU(), cfg.serverCPU, how, cfg.clientCPU, cfg.size, cfg.dur, cfg.rounds)
	for _, conns := range cfg.conns {
		sides := []*side{
			{name: "async_server", args: []string{cfg.server, "-behavior", "echo", "-log-file", os.DevNull, "-log-level", "error", "-max-conns", "10000"}},
			{name: "plain", args: []string{cfg.plain}},
		}
		if cfg.gnet != "" {
			sides = append(sides, &side{name: "gnet", args: []string{cfg.gnet}})
		}
		order := append([]*side{}, sides...) // A B (C), then back: C B A
		for i := len(sides) - 1; i >= 0; i-- {
			order = append(order, sides[i])
		}
		for range cfg.rounds {
			for _, s := range order {
				if err := measure(cfg, s, conns); err != nil {
					return err
				}
			}
		}
		report(out, conns, sides)
	}
	return nil
}

// report prints one connection count's table.
func report(out io.Writer, conns int, sides []*side) {
	fmt.Fprintf(out, "\n%d connection(s) (round trips per second, the mean of each side's runs)\n", conns)
	fmt.Fprintf(out, "%-14s %12s %10s %14s\n", "server", "trips/s", "vs plain", "cpu/trip")
	plain := sides[1].trips / float64(sides[1].runs)
	for _, s := range sides {
		rate := s.trips / float64(s.runs)
		fmt.Fprintf(out, "%-14s %12.0f %9.3fx %12.2fus\n", s.name, rate, rate/plain,
			float64(s.cpu.Nanoseconds())/1e3/float64(max(s.total, 1)))
	}
}

// measure starts s's server, runs the client against it, and adds the run to s.
func measure(cfg config, s *side, conns int) error {
	srv := pinproc.Command(cfg.serverCPU, s.args[0], append(s.args[1:], "0")...)
	addr, err := start(srv)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cl := pinproc.Command(cfg.clientCPU, self, "-client", addr, "-d", cfg.dur.String(), "-size", strconv.Itoa(cfg.size),
		"-loop="+strconv.FormatBool(cfg.loop), strconv.Itoa(conns))
	cl.Stderr = os.Stderr
	before := pinproc.CPUTime(srv.Process.Pid)
	raw, err := cl.Output()
	if err != nil {
		return fmt.Errorf("client against %s: %w", s.name, err)
	}
	s.cpu += pinproc.CPUTime(srv.Process.Pid) - before
	var timed, total int64
	if _, err := fmt.Sscan(string(raw), &timed, &total); err != nil {
		return fmt.Errorf("client against %s printed %q", s.name, raw)
	}
	s.trips += float64(timed) / cfg.dur.Seconds()
	s.total += total
	s.runs++
	return nil
}

// start starts a server and returns the address from its "listening on" line.
func start(cmd *exec.Cmd) (string, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if i := strings.Index(lines.Text(), "listening on "); i >= 0 {
			go io.Copy(io.Discard, stdout)
			return strings.Fields(lines.Text()[i+len("listening on "):])[0], nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return "", fmt.Errorf("%s printed no listening line", cmd.Path)
}
