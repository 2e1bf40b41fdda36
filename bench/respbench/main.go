// Command respbench runs redis-benchmark against async_server -behavior resp
// and against redis-server, side by side in one run, and prints each test's
// requests per second and the ratio (async_server / redis-server), as issue
// 16 asks: the servers pinned to one core and redis-benchmark to another
// (taskset), each pipeline depth measured A B B A (async_server,
// redis-server, redis-server, async_server), test by test (-per-test), and
// each side's two runs averaged, so that a machine that slows down or
// speeds up during the run weighs on both alike. It also prints each server's CPU time per request
// (and redis-server's over async_server's as a ratio: above 1, async_server
// spends less), which a loaded machine distorts less than the rates, and
// how busy each server and redis-benchmark were (CPU time over the runs'
// wall time): a client on its core nearly all the time sets the pace, and
// then the rates are its own (on two cores it is so at -P 1).
//
//	go build -o async_server . && (cd bench && go run ./respbench -server ../async_server)
//
// With -redcon it measures bench/redconresp too, a plain Go server (a
// goroutine per connection on github.com/tidwall/redcon, one mutex-guarded
// map), A B C C B A: what Go without actors and services reaches beside
// redis-server on the same machine in the same run.
//
//	go build -o /tmp/redconresp ./redconresp && go run ./respbench -server ../async_server -redcon /tmp/redconresp
//
// Flags: -server (the async_server binary), -redis (redis-server), -redcon,
// -benchmark (redis-benchmark), -server-cpu and -client-cpu (cores for
// taskset; -1: do not pin), -n, -c, -tests, -pipelines (comma-separated
// depths), -per-test (false: A B B A over the whole list of tests, as
// respbench measured until 2026-12-07). It needs redis-server, redis-benchmark and taskset on the PATH
// (Debian: redis-server, redis-tools, util-linux).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"async_server/bench/pinproc"
)

type config struct {
	server, redis, bench string
	serverCPU, clientCPU int
	n, c                 int
	tests                string
	serverArgs           string // more flags for async_server, space-separated
	redcon               string // bench/redconresp's binary, measured too if set
	pipelines            []int
	perTest              bool // A B B A for each test in turn, not for the whole list
}

func main() {
	var cfg config
	var pipes string
	flag.StringVar(&cfg.server, "server", "./async_server", "the async_server binary")
	flag.StringVar(&cfg.redis, "redis", "redis-server", "the redis-server binary")
	flag.StringVar(&cfg.bench, "benchmark", "redis-benchmark", "the redis-benchmark binary")
	flag.IntVar(&cfg.serverCPU, "server-cpu", 0, "core the servers run on (-1: not pinned)")
	flag.IntVar(&cfg.clientCPU, "client-cpu", 1, "core redis-benchmark runs on (-1: not pinned)")
	flag.IntVar(&cfg.n, "n", 200000, "requests per test (redis-benchmark -n)")
	flag.IntVar(&cfg.c, "c", 50, "connections (redis-benchmark -c)")
	flag.StringVar(&cfg.tests, "tests", "ping,set,get,incr,lpush,lpop,sadd,hset,zadd,mset", "redis-benchmark -t")
	flag.StringVar(&cfg.serverArgs, "server-args", "", "more flags for async_server, space-separated (e.g. \"-maxmemory 1gb\")")
	flag.StringVar(&cfg.redcon, "redcon", "", "a bench/redconresp binary to measure too (a plain Go server on tidwall/redcon)")
	flag.StringVar(&pipes, "pipelines", "1,16", "pipeline depths (redis-benchmark -P), comma-separated")
	flag.BoolVar(&cfg.perTest, "per-test", true, "run A B B A for each test in turn, so that a test's runs are seconds apart (false: A B B A over the whole list of tests, each run minutes long)")
	flag.Parse()
	for _, p := range strings.Split(pipes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			log.Fatalf("respbench: bad pipeline depth %q", p)
		}
		cfg.pipelines = append(cfg.pipelines, n)
	}
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatalf("respbench: %v", err)
	}
}

// side is one server of the run and what it measured at one depth.
type side struct {
	name string
	srv  *proc
	runs []map[string]float64 // requests per second by test, one map per run
	cpu  time.Duration        // user+system time over the depth's runs
	busy busy                 // the depth's runs against this side, as time on and off the cores
}

// busy is where a side's runs spent their time: the wall-clock time of the
// redis-benchmark runs, and the CPU time the server and the client used in
// them. A client that used nearly all of its core's time set the pace, and
// then the requests per second measure the client, not the server.
type busy struct {
	wall, client time.Duration
}

// mean is the side's mean requests per second for test.
func (s *side) mean(test string) float64 {
	var sum float64
	for _, r := range s.runs {
		sum += r[test]
	}
	return sum / float64(max(len(s.runs), 1))
}

// run measures every pipeline depth and prints one table per depth.
func run(cfg config, out io.Writer) error {
	ours, err := startOurs(cfg)
	if err != nil {
		return err
	}
	defer ours.stop()
	ref, err := startRedis(cfg)
	if err != nil {
		return err
	}
	defer ref.stop()
	sides := []*side{{name: "async_server", srv: ours}, {name: "redis-server", srv: ref}}
	if cfg.redcon != "" {
		rc, err := startRedcon(cfg)
		if err != nil {
			return err
		}
		defer rc.stop()
		sides = append(sides, &side{name: "redcon", srv: rc})
	}
	host, _ := os.Hostname()
	fmt.Fprintf(out, "respbench: %s, %d cores; servers on cpu %d, redis-benchmark on cpu %d; -n %d -c %d -per-test=%v\n",
		host, pinproc.NumCPU(), cfg.serverCPU, cfg.clientCPU, cfg.n, cfg.c, cfg.perTest)
	for _, p := range cfg.pipelines {
		order, err := measure(cfg, sides, p)
		if err != nil {
			return err
		}
		report(out, cfg, sides, order, p)
	}
	return nil
}

// measure runs redis-benchmark at depth p against each side, in the order
// A B B A (A B C C B A with redcon), and returns the tests in the order
// redis-benchmark ran them. With cfg.perTest it does so for each test in
// turn, so that the VM's phases, which move a server's rate by a third
// over minutes (docs/benchmarks.md), weigh on each test's four runs alike;
// else once for the whole list, each run as long as every test together.
func measure(cfg config, sides []*side, p int) ([]string, error) {
	steps := append([]*side{}, sides...)
	for i := len(sides) - 1; i >= 0; i-- {
		steps = append(steps, sides[i])
	}
	for _, s := range sides {
		s.runs, s.cpu, s.busy = []map[string]float64{{}, {}}, 0, busy{}
	}
	groups := []string{cfg.tests}
	if cfg.perTest {
		groups = strings.Split(cfg.tests, ",")
	}
	var order []string
	for _, g := range groups {
		one := cfg
		one.tests = g
		done := map[*side]int{} // the side's runs of g so far
		for i, s := range steps {
			before := pinproc.CPUTime(s.srv.cmd.Process.Pid)
			res, names, b, err := benchmark(one, s.srv.port, p)
			if err != nil {
				return nil, err
			}
			s.cpu += pinproc.CPUTime(s.srv.cmd.Process.Pid) - before
			s.busy.wall += b.wall
			s.busy.client += b.client
			maps.Copy(s.runs[done[s]], res)
			done[s]++
			if i == 0 {
				order = append(order, names...)
			}
		}
	}
	return order, nil
}

// report prints one depth's table: each side's mean requests per second and
// its ratio to redis-server's (above 1: faster than redis-server), then each
// side's CPU time per request and redis-server's over it (above 1: it spends
// less than redis-server), which a loaded machine distorts less than the
// rates.
func report(out io.Writer, cfg config, sides []*side, order []string, p int) {
	ref := sides[1]
	fmt.Fprintf(out, "\n-P %d (requests per second; each the mean of its two runs; ratio: over redis-server's)\n", p)
	fmt.Fprintf(out, "%-16s", "test")
	for _, s := range sides {
		fmt.Fprintf(out, " %14s", s.name)
	}
	for _, s := range sides {
		if s != ref {
			fmt.Fprintf(out, " %14s", s.name+" ratio")
		}
	}
	fmt.Fprintln(out)
	for _, name := range order {
		fmt.Fprintf(out, "%-16s", name)
		for _, s := range sides {
			fmt.Fprintf(out, " %14.0f", s.mean(name))
		}
		for _, s := range sides {
			if s != ref {
				fmt.Fprintf(out, " %13.2fx", s.mean(name)/max(ref.mean(name), 1))
			}
		}
		fmt.Fprintln(out)
	}
	reqs := float64(2 * cfg.n * len(order))
	fmt.Fprintf(out, "%-16s", "cpu/request")
	for _, s := range sides {
		fmt.Fprintf(out, " %12.2fus", float64(s.cpu.Microseconds())/reqs)
	}
	for _, s := range sides {
		if s != ref {
			fmt.Fprintf(out, " %13.2fx", float64(ref.cpu)/float64(max(s.cpu, 1)))
		}
	}
	fmt.Fprintln(out)
	share(out, "server busy", sides, func(s *side) time.Duration { return s.cpu })
	share(out, "client busy", sides, func(s *side) time.Duration { return s.busy.client })
	for _, s := range sides {
		if s.busy.client*100 >= s.busy.wall*95 {
			fmt.Fprintf(out, "against %s redis-benchmark was on its core %.0f%% of the time: it set the pace, and the requests per second are its own\n",
				s.name, 100*s.busy.client.Seconds()/max(s.busy.wall.Seconds(), 1e-9))
		}
	}
}

// share prints a row of each side's CPU time (what) as a share of the
// wall-clock time of its runs.
func share(out io.Writer, row string, sides []*side, what func(*side) time.Duration) {
	fmt.Fprintf(out, "%-16s", row)
	for _, s := range sides {
		fmt.Fprintf(out, " %13.0f%%", 100*what(s).Seconds()/max(s.busy.wall.Seconds(), 1e-9))
	}
	fmt.Fprintln(out)
}

// proc is a server started for the run.
type proc struct {
	cmd  *exec.Cmd
	port int
}

func (p *proc) stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// startOurs starts async_server -behavior resp on a free port and reads the
// port from its "listening on" line.
func startOurs(cfg config) (*proc, error) {
	args := append([]string{"-behavior", "resp", "-log-file", os.DevNull, "-log-level", "error",
		"-max-conns", "10000"}, strings.Fields(cfg.serverArgs)...)
	cmd := pinproc.Command(cfg.serverCPU, cfg.server, append(args, "0")...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cfg.server, err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if i := strings.Index(lines.Text(), "listening on "); i >= 0 {
			_, port, err := net.SplitHostPort(strings.Fields(lines.Text()[i+len("listening on "):])[0])
			if err == nil {
				n, _ := strconv.Atoi(port)
				go io.Copy(io.Discard, stdout)
				return &proc{cmd: cmd, port: n}, nil
			}
		}
	}
	_ = cmd.Process.Kill()
	return nil, fmt.Errorf("%s printed no listening line", cfg.server)
}

// startRedis starts redis-server without persistence on a free port and
// waits until it answers.
func startRedis(cfg config) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := pinproc.Command(cfg.serverCPU, cfg.redis, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	return startAnswering(cmd, port)
}

// startRedcon starts bench/redconresp on a free port and waits until it
// answers.
func startRedcon(cfg config) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return startAnswering(pinproc.Command(cfg.serverCPU, cfg.redcon, strconv.Itoa(port)), port)
}

// startAnswering starts cmd, a server that will listen on port, and waits
// until it accepts a connection there.
func startAnswering(cmd *exec.Cmd, port int) (*proc, error) {
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			c.Close()
			return &proc{cmd: cmd, port: port}, nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, fmt.Errorf("%s did not answer on port %d", cmd.Path, port)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// benchmark runs redis-benchmark once against port and returns each test's
// requests per second, the tests in the order it ran them, and the run's
// wall-clock and client CPU time (taskset execs redis-benchmark, so the
// process's usage is the client's).
func benchmark(cfg config, port, pipeline int) (map[string]float64, []string, busy, error) {
	cmd := pinproc.Command(cfg.clientCPU, cfg.bench, "-p", strconv.Itoa(port), "-c", strconv.Itoa(cfg.c),
		"-n", strconv.Itoa(cfg.n), "-t", cfg.tests, "-P", strconv.Itoa(pipeline), "--csv")
	cmd.Stderr = os.Stderr
	start := time.Now()
	raw, err := cmd.Output()
	if err != nil {
		return nil, nil, busy{}, fmt.Errorf("redis-benchmark against port %d: %w", port, err)
	}
	b := busy{wall: time.Since(start), client: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		return nil, nil, busy{}, fmt.Errorf("redis-benchmark's csv: %w", err)
	}
	res := map[string]float64{}
	var order []string
	for _, r := range rows {
		if len(r) < 2 || r[0] == "test" {
			continue
		}
		rps, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			continue
		}
		res[r[0]] = rps
		order = append(order, r[0])
	}
	return res, order, b, nil
}
