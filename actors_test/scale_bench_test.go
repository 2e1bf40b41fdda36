package actors_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"async_server/internal/binary"
)

// scaleConns is how many idle connections BenchmarkIdleMemory opens to each
// server. The client ends live in this process and one server runs at a time,
// so it needs N plus a margin of open files here and in the server; the bound
// keeps it under this machine's limit of 20 000 with room to spare.
var scaleConns = flag.Int("scale.conns", 5000, "idle connections per server in BenchmarkIdleMemory (at most 15000)")

// scaleDialers is how many goroutines dial at once, in both benchmarks: the
// issue's "50 concurrent dialers".
const scaleDialers = 50

// scaleFDMargin is the open files a process needs beside its connections
// (listeners, log file, the runtime's own).
const scaleFDMargin = 256

// BenchmarkIdleMemory measures what an idle connection costs the server: each
// server runs as its own process, gets N connections (-scale.conns, 5000 by
// default) that each make one round trip and then stay open, and the growth of
// its VmRSS (from /proc/PID/status) from just after start to then, divided by
// N, is its KiB per connection; the growth from N/2 connections to N, over
// N/2, is its late KiB per connection (what one more costs, past any memory
// freed at start that the first connections reuse; see scaleKiB). One server
// runs at a time, its clients closed
// and the process killed before the next starts; sides run A B (C C) B A, each
// in a fresh process, and the two measurements of a side are averaged.
//
//   - echo: async_server -behavior echo against bench/plainecho (a goroutine
//     per connection, 4 KiB read buffer) and bench/gnetecho (gnet's event
//     loops: no goroutine per connection); one 64-byte round trip each.
//   - http: async_server -behavior http (the embedded site) against
//     bench/fileserver (net/http's http.FileServer over the same site) and
//     bench/plainecho; one GET / each (an echo round trip for plainecho).
//
// ratio and ratio-late are ours / plainecho (the target is at most
// 0.7); ratio-gnet and ratio-late-gnet are ours / gnetecho.
//
//	go test -run '^$' -bench BenchmarkIdleMemory -benchtime 1x ./actors_test/
func BenchmarkIdleMemory(b *testing.B) {
	scaleSkip(b)
	n := *scaleConns
	if n < 1 || n > 15000 {
		b.Fatalf("-scale.conns %d: want 1 to 15000", n)
	}
	scaleRaiseFileLimit(b, n+scaleFDMargin)
	ours := cliBuild(b)
	plain := benchBuild(b, "plainecho")
	fileserver := benchBuild(b, "fileserver")
	gnet := benchBuild(b, "gnetecho")
	site := filepath.Join(scaleModuleDir(b), "behaviors", "web", "site")
	oursArgs := func(behavior string) []string {
		return []string{"-behavior", behavior, "-max-conns", "20000", "-log-level", "warn",
			"-log-file", filepath.Join(b.TempDir(), "server.log"), "0"}
	}
	plainSide := scaleSide{"plain", plain, []string{"0"}, scaleEchoRoundTrip}

	b.Run("behavior=echo", func(b *testing.B) {
		sides := []scaleSide{
			{"ours", ours, oursArgs("echo"), scaleEchoRoundTrip},
			plainSide,
			{"gnet", gnet, []string{"0"}, scaleEchoRoundTrip},
		}
		scaleReportIdle(b, scaleIdleABBA(b, n, sides), "gnet")
	})
	b.Run("behavior=http", func(b *testing.B) {
		sides := []scaleSide{
			{"ours", ours, oursArgs("http"), scaleHTTPRoundTrip},
			{"nethttp", fileserver, []string{"-root", site, "0"}, scaleHTTPRoundTrip},
			plainSide,
		}
		scaleReportIdle(b, scaleIdleABBA(b, n, sides), "nethttp")
	})
	// resp: one PING each (answered by the connection, as a client that
	// has not yet touched the key space), against the same plain server and
	// against echo, whose idle connection is the target's base (issue 16:
	// at most echo's plus 1 KiB; over-echo reports the difference).
	b.Run("behavior=resp", func(b *testing.B) {
		ping := scaleLineRoundTrip("", "PING\r\n", "+PONG")
		kib := scaleIdleABBA(b, n, []scaleSide{
			{"ours", ours, oursArgs("resp"), ping},
			plainSide,
			{"echo", ours, oursArgs("echo"), scaleEchoRoundTrip},
		})
		scaleReportIdle(b, kib, "echo")
		b.ReportMetric(kib["ours"].late-kib["echo"].late, "over-echo-late-KiB/conn")
		b.ReportMetric(kib["ours"].all-kib["echo"].all, "over-echo-KiB/conn")
	})
	// The line behaviors: chat (a welcome line, then /rooms) and faults (one
	// line), against the same plain server.
	for _, l := range []struct{ behavior, greeting, send, reply string }{
		{"chat", "* welcome", "/rooms\n", "* no rooms"},
		{"faults", "", "x\n", "count 1: x"},
	} {
		b.Run("behavior="+l.behavior, func(b *testing.B) {
			rt := scaleLineRoundTrip(l.greeting, l.send, l.reply)
			scaleReportIdle(b, scaleIdleABBA(b, n, []scaleSide{{"ours", ours, oursArgs(l.behavior), rt}, plainSide}))
		})
	}
}

// scaleLineRoundTrip returns a round trip for a line behavior: read a line
// starting with greeting (if not empty), send send, read a line starting with
// reply.
func scaleLineRoundTrip(greeting, send, reply string) func(net.Conn) error {
	return func(c net.Conn) error {
		br := bufio.NewReader(c)
		if greeting != "" {
			if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, greeting) {
				return fmt.Errorf("greeting %q: %v", line, err)
			}
		}
		if _, err := io.WriteString(c, send); err != nil {
			return err
		}
		if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, reply) {
			return fmt.Errorf("reply %q to %q: %v", line, send, err)
		}
		return nil
	}
}

// BenchmarkAcceptRate measures new connections per second: 50 dialers at once,
// each connection one 64-byte round trip and then closed by the client, b.N
// connections per side in two halves run A B B A, against async_server
// -behavior echo and bench/plainecho, each its own process. ratio is ours /
// plain (the target is at least 1.0). It also reports the CPU each
// server process spent per connection, in user space and in the kernel: the
// clients share the machine's cores, so the rate follows what a connection
// costs the server.
//
//	go test -run '^$' -bench BenchmarkAcceptRate -benchtime 20000x ./actors_test/
func BenchmarkAcceptRate(b *testing.B) {
	scaleSkip(b)
	scaleRaiseFileLimit(b, scaleDialers+scaleFDMargin)
	ours := scaleStart(b, cliBuild(b), "-behavior", "echo", "-max-conns", "20000",
		"-log-level", "warn", "-log-file", filepath.Join(b.TempDir(), "server.log"), "0")
	plain := scaleStart(b, benchBuild(b, "plainecho"), "0")
	half := max(b.N/2, 1)
	var o, p scaleAcceptRun
	b.ResetTimer()
	o.add(scaleAcceptCPU(b, ours, half))
	p.add(scaleAcceptCPU(b, plain, half))
	p.add(scaleAcceptCPU(b, plain, half))
	o.add(scaleAcceptCPU(b, ours, half))
	b.StopTimer()
	n := float64(2 * half)
	b.ReportMetric(n/o.took.Seconds(), "ours-conn/s")
	b.ReportMetric(n/p.took.Seconds(), "plain-conn/s")
	b.ReportMetric(p.took.Seconds()/o.took.Seconds(), "ratio")
	for _, side := range []struct {
		name string
		run  scaleAcceptRun
	}{{"ours", o}, {"plain", p}} {
		b.ReportMetric(float64(side.run.user.Microseconds())/n, side.name+"-user-µs/conn")
		b.ReportMetric(float64(side.run.sys.Microseconds())/n, side.name+"-sys-µs/conn")
		b.ReportMetric(float64(side.run.clients.Microseconds())/n, side.name+"-clients-µs/conn")
	}
}

// scaleAcceptRun is what one side of BenchmarkAcceptRate took: the time its
// connections took, the CPU its server process spent on them, in user space
// and in the kernel, and the CPU of this process, whose clients made them.
type scaleAcceptRun struct{ took, user, sys, clients time.Duration }

func (r *scaleAcceptRun) add(o scaleAcceptRun) {
	r.took, r.user, r.sys, r.clients = r.took+o.took, r.user+o.user, r.sys+o.sys, r.clients+o.clients
}

// scaleAcceptCPU runs scaleAccept against p and reads the CPU p spent meanwhile.
func scaleAcceptCPU(b *testing.B, p *scaleProc, total int) scaleAcceptRun {
	b.Helper()
	u0, s0 := scaleCPU(b, p.pid())
	c0 := scaleSelfCPU(b)
	took := scaleAccept(b, p.addr, total)
	c1 := scaleSelfCPU(b)
	u1, s1 := scaleCPU(b, p.pid())
	return scaleAcceptRun{took: took, user: u1 - u0, sys: s1 - s0, clients: c1 - c0}
}

// scaleSelfCPU returns the CPU this process has spent, user and kernel.
func scaleSelfCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scaleCPU reads the user and system CPU time of process pid from
// /proc/PID/stat (utime and stime, in clock ticks of 10 ms: Linux's USER_HZ).
func scaleCPU(b *testing.B, pid int) (user, sys time.Duration) {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatalf("reading the server's stat: %v", err)
	}
	// The fields after the command's closing parenthesis, from field 3 (state):
	// utime and stime are fields 14 and 15.
	_, rest, ok := strings.Cut(string(data), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		b.Fatalf("/proc/%d/stat: %q", pid, data)
	}
	ticks := func(f string) time.Duration {
		t, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatalf("/proc/%d/stat field %q: %v", pid, f, err)
		}
		return time.Duration(t) * 10 * time.Millisecond
	}
	return ticks(fields[11]), ticks(fields[12])
}

// scaleSide is one server of BenchmarkIdleMemory: a binary, its arguments, and
// the round trip each of its connections makes before it idles.
type scaleSide struct {
	name      string
	bin       string
	args      []string
	roundTrip func(net.Conn) error
}

// scaleKiB is one side's idle memory per connection, in KiB: all is the
// growth of its RSS from just after start to N connections, over N; late is
// the growth from N/2 connections to N, over N/2. Memory a server frees at
// start (garbage of its set-up) is reused by its first connections and
// flatters all; late is past that.
type scaleKiB struct{ all, late float64 }

// scaleReportIdle reports every side's KiB (all and late) and ours' ratios to
// plain (ratio, ratio-late: the target is at most 0.7) and to each of
// others.
func scaleReportIdle(b *testing.B, kib map[string]scaleKiB, others ...string) {
	for _, side := range append([]string{"ours", "plain"}, others...) {
		b.ReportMetric(kib[side].all, side+"-KiB/conn")
		b.ReportMetric(kib[side].late, side+"-late-KiB/conn")
	}
	for _, side := range append([]string{"plain"}, others...) {
		suffix := "-" + side
		if side == "plain" {
			suffix = ""
		}
		b.ReportMetric(kib["ours"].all/kib[side].all, "ratio"+suffix)
		b.ReportMetric(kib["ours"].late/kib[side].late, "ratio-late"+suffix)
	}
}

// scaleIdleABBA measures every side twice, in the order given and then in
// reverse, each time in a fresh process, and returns each side's mean KiB per
// idle connection.
func scaleIdleABBA(b *testing.B, n int, sides []scaleSide) map[string]scaleKiB {
	b.Helper()
	order := append([]scaleSide{}, sides...)
	for i := len(sides) - 1; i >= 0; i-- {
		order = append(order, sides[i])
	}
	sum := map[string]scaleKiB{}
	runs := 0
	for range b.N {
		for _, s := range order {
			k, sk := scaleIdleKiB(b, s, n), sum[s.name]
			sum[s.name] = scaleKiB{all: sk.all + k.all, late: sk.late + k.late}
		}
		runs += 2
	}
	for name, k := range sum {
		sum[name] = scaleKiB{all: k.all / float64(runs), late: k.late / float64(runs)}
	}
	return sum
}

// scaleIdleKiB starts s and reads its RSS, opens n/2 connections that each
// make one round trip and stay open and reads it again, opens the other half
// and reads it a last time, then closes the connections, kills the process and
// waits for it. It returns the growth in KiB per connection.
func scaleIdleKiB(b *testing.B, s scaleSide, n int) scaleKiB {
	b.Helper()
	p := scaleStart(b, s.bin, s.args...)
	defer p.stop()
	before := scaleSettledRSS(b, p.pid())
	half := n / 2
	conns := scaleOpen(b, p.addr, half, s.roundTrip)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	mid := scaleSettledRSS(b, p.pid())
	conns = append(conns, scaleOpen(b, p.addr, n-half, s.roundTrip)...)
	after := scaleSettledRSS(b, p.pid())
	return scaleKiB{all: float64(after-before) / float64(n), late: float64(after-mid) / float64(n-half)}
}

// scaleOpen opens n connections to addr, scaleDialers at a time, and makes
// one round trip on each; the caller closes them.
func scaleOpen(b testing.TB, addr string, n int, roundTrip func(net.Conn) error) []net.Conn {
	b.Helper()
	conns := make([]net.Conn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, scaleDialers)
	for range scaleDialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, err := net.DialTimeout("tcp", addr, waitTimeout)
				if err != nil {
					errs <- fmt.Errorf("dial %d: %w", i, err)
					return
				}
				conns[i] = c
				_ = c.SetDeadline(time.Now().Add(waitTimeout))
				if err := roundTrip(c); err != nil {
					errs <- fmt.Errorf("round trip %d: %w", i, err)
					return
				}
				_ = c.SetDeadline(time.Time{})
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		b.Fatal(err)
	}
	return conns
}

// scaleAccept makes total connections to addr, scaleDialers at a time, each a
// 64-byte round trip and a close, and returns how long they took.
func scaleAccept(b *testing.B, addr string, total int) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, scaleDialers)
	start := time.Now()
	for range scaleDialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(total) {
				c, err := net.DialTimeout("tcp", addr, waitTimeout)
				if err != nil {
					errs <- fmt.Errorf("dial: %w", err)
					return
				}
				_ = c.SetDeadline(time.Now().Add(waitTimeout))
				err = scaleEchoRoundTrip(c)
				c.Close()
				if err != nil {
					errs <- fmt.Errorf("round trip: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return elapsed
}

// scalePayload is the 64 bytes of every echo round trip.
var scalePayload = bytes.Repeat([]byte("x"), 64)

// scaleEchoRoundTrip writes 64 bytes to c and reads them back.
func scaleEchoRoundTrip(c net.Conn) error {
	if _, err := c.Write(scalePayload); err != nil {
		return err
	}
	buf := make([]byte, len(scalePayload))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if !bytes.Equal(buf, scalePayload) {
		return fmt.Errorf("echoed %q", buf)
	}
	return nil
}

// scaleHTTPRoundTrip sends GET / on c and reads the whole response, which must be
// a 200 that keeps the connection open.
func scaleHTTPRoundTrip(c net.Conn) error {
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"); err != nil {
		return err
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || resp.Close {
		return fmt.Errorf("GET /: %s, close %v", resp.Status, resp.Close)
	}
	if br.Buffered() != 0 {
		return fmt.Errorf("GET /: %d bytes after the response", br.Buffered())
	}
	return nil
}

// scaleProc is a server process a scale benchmark started.
type scaleProc struct {
	*cliProcess
	addr string
}

// scaleStart runs bin with args, waits for its "listening on ADDR" line and
// returns it; the process is killed (by its PID) and waited for at the latest
// when b ends.
func scaleStart(b *testing.B, bin string, args ...string) *scaleProc {
	b.Helper()
	p := &cliProcess{done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		_ = p.cmd.Wait() // the exit status is in cmd.ProcessState
		close(p.done)
	}()
	s := &scaleProc{cliProcess: p}
	b.Cleanup(s.stop)
	s.addr = p.waitReady(b)
	return s
}

// stop kills the process if it is still running and waits for it; calling it
// again is harmless.
func (s *scaleProc) stop() {
	if !s.exited() {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

func (s *scaleProc) pid() int { return s.cmd.Process.Pid }

// scaleSettledRSS returns the process's VmRSS in KiB once two readings 100 ms
// apart differ by less than 1% (or after 3 s): the runtime and the kernel
// finish what the last burst of work started before it is read.
func scaleSettledRSS(b *testing.B, pid int) int64 {
	b.Helper()
	last := scaleRSS(b, pid)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		cur := scaleRSS(b, pid)
		d := cur - last
		last = cur
		if d < 0 {
			d = -d
		}
		if d*100 < cur {
			break
		}
	}
	return last
}

// scaleRSS reads VmRSS (KiB) from /proc/PID/status.
func scaleRSS(b *testing.B, pid int) int64 {
	b.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatalf("reading the server's status: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatalf("VmRSS line %q: %v", line, err)
			}
			return kib
		}
	}
	b.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// scaleSkip skips where the scale benchmarks cannot measure: without /proc,
// in -short mode (cliBuild's rule) and under -race, which builds the server
// with the race detector and multiplies its memory.
func scaleSkip(b *testing.B) {
	b.Helper()
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skipf("reads the server's RSS from /proc: %v", err)
	}
	if binary.RaceBuilt() {
		b.Skip("measures the server built without -race")
	}
}

// scaleRaiseFileLimit makes sure this process (and the servers it starts,
// which inherit it) may open need files, raising the soft limit up to the hard
// one if it must; it skips when the hard limit is too low.
func scaleRaiseFileLimit(b testing.TB, need int) {
	b.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Skipf("getrlimit: %v", err)
	}
	if lim.Cur >= uint64(need) {
		return
	}
	if lim.Max < uint64(need) {
		b.Skipf("needs %d open files; the hard limit is %d (ulimit -Hn)", need, lim.Max)
	}
	old := lim
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Skipf("raising the open-file limit to %d: %v", lim.Cur, err)
	}
	b.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// benchBuild builds the reference server bench/NAME into a temporary
// directory and returns the binary. bench/ is a module of its own (its
// dependencies, gnet among them, are not the server's), so it is built there.
func benchBuild(b *testing.B, name string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./"+name)
	cmd.Dir = filepath.Join(scaleModuleDir(b), "bench")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build bench/%s: %v\n%s", name, err, out)
	}
	return bin
}

// scaleModuleDir returns the module's root directory.
func scaleModuleDir(b *testing.B) string {
	b.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		b.Fatalf("go env GOMOD: %q, %v", gomod, err)
	}
	return filepath.Dir(strings.TrimSpace(string(gomod)))
}
