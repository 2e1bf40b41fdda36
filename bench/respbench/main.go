// Command respbench runs redis-benchmark against async_server -behavior resp
// and against redis-server, side by side in one run, and prints each test's
// requests per second and the ratio (async_server / redis-server), as issue
// 16 asks: the servers pinned to one core and redis-benchmark to another
// (taskset), each pipeline depth measured A B B A (async_server,
// redis-server, redis-server, async_server) and each side's two runs
// averaged, so that a machine that slows down or speeds up during the run
// weighs on both alike. It also prints each server's CPU time per request
// (and redis-server's over async_server's as a ratio: above 1, async_server
// spends less), which a loaded machine distorts less than the rates.
//
//	go build -o async_server . && (cd bench && go run ./respbench -server ../async_server)
//
// Flags: -server (the async_server binary), -redis (redis-server),
// -benchmark (redis-benchmark), -server-cpu and -client-cpu (cores for
// taskset; -1: do not pin), -n, -c, -tests, -pipelines (comma-separated
// depths). It needs redis-server, redis-benchmark and taskset on the PATH
// (Debian: redis-server, redis-tools, util-linux).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
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
	pipelines            []int
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
	flag.StringVar(&pipes, "pipelines", "1,16", "pipeline depths (redis-benchmark -P), comma-separated")
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
	host, _ := os.Hostname()
	fmt.Fprintf(out, "respbench: %s, %d cores; servers on cpu %d, redis-benchmark on cpu %d; -n %d -c %d\n",
		host, pinproc.NumCPU(), cfg.serverCPU, cfg.clientCPU, cfg.n, cfg.c)
	for _, p := range cfg.pipelines {
		var a1, b1, b2, a2 map[string]float64
		var cpuA, cpuB time.Duration
		steps := []struct {
			srv *proc
			dst *map[string]float64
			cpu *time.Duration
		}{{ours, &a1, &cpuA}, {ref, &b1, &cpuB}, {ref, &b2, &cpuB}, {ours, &a2, &cpuA}}
		var order []string
		for _, s := range steps {
			before := pinproc.CPUTime(s.srv.cmd.Process.Pid)
			res, names, err := benchmark(cfg, s.srv.port, p)
			if err != nil {
				return err
			}
			*s.cpu += pinproc.CPUTime(s.srv.cmd.Process.Pid) - before
			*s.dst, order = res, names
		}
		fmt.Fprintf(out, "\n-P %d (requests per second; A B B A, each the mean of its two runs)\n", p)
		fmt.Fprintf(out, "%-16s %14s %14s %7s\n", "test", "async_server", "redis-server", "ratio")
		for _, name := range order {
			a, b := (a1[name]+a2[name])/2, (b1[name]+b2[name])/2
			ratio := 0.0
			if b > 0 {
				ratio = a / b
			}
			fmt.Fprintf(out, "%-16s %14.0f %14.0f %6.2fx\n", name, a, b, ratio)
		}
		// CPU per request is what a loaded machine does not distort much:
		// the servers' user+system time over every request of the depth.
		reqs := float64(2 * cfg.n * len(order))
		fmt.Fprintf(out, "%-16s %13.2fus %13.2fus %6.2fx\n", "cpu/request",
			float64(cpuA.Microseconds())/reqs, float64(cpuB.Microseconds())/reqs,
			float64(cpuB)/float64(max(cpuA, 1)))
	}
	return nil
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
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cfg.redis, err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			c.Close()
			return &proc{cmd: cmd, port: port}, nil
		}
	}
	_ = cmd.Process.Kill()
	return nil, fmt.Errorf("%s did not answer on port %d", cfg.redis, port)
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
// requests per second, and the tests in the order it ran them.
func benchmark(cfg config, port, pipeline int) (map[string]float64, []string, error) {
	cmd := pinproc.Command(cfg.clientCPU, cfg.bench, "-p", strconv.Itoa(port), "-c", strconv.Itoa(cfg.c),
		"-n", strconv.Itoa(cfg.n), "-t", cfg.tests, "-P", strconv.Itoa(pipeline), "--csv")
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("redis-benchmark against port %d: %w", port, err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("redis-benchmark's csv: %w", err)
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
	return res, order, nil
}
