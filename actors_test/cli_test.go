package actors_test

// This file tests the command line contract of DESIGN.md ("Command line" and
// "Graceful shutdown") on the real binary: it is built once per run, started on
// port 0 with its log in a temporary directory, and driven with signals and
// real clients.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
)

// TestCLI builds the binary once and runs every command-line test against it.
// The subtests run in parallel: each starts its own process on its own port.
func TestCLI(t *testing.T) {
	bin := cliBuild(t)
	tests := []struct {
		name string
		run  func(t *testing.T, bin string)
	}{
		{"SIGINT", func(t *testing.T, bin string) { testCLIGracefulShutdown(t, bin, syscall.SIGINT) }},
		{"SIGTERM", func(t *testing.T, bin string) { testCLIGracefulShutdown(t, bin, syscall.SIGTERM) }},
		{"SecondSignalForces", testCLISecondSignalForces},
		{"IdleSIGTERM", testCLIIdleSIGTERM},
		{"BadPort", testCLIBadPort},
		{"PortInUse", testCLIPortInUse},
		{"Help", testCLIHelp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, bin)
		})
	}
}

// testCLIGracefulShutdown ensures sig shuts a busy server down gracefully: exit
// code 0; every client gets the replies to what the server had received, then a
// clean EOF (no reset); a line sent right before the signal is answered whole or
// not at all; nothing listens afterwards; and the log holds every entry, with the
// shutdown report (all graceful, none forced) as its last line.
func testCLIGracefulShutdown(t *testing.T, bin string, sig os.Signal) {
	p := cliStart(t, bin, "-behavior", "echo", "-log-level", "debug", "0")
	addr := p.waitReady(t)

	// Clients 0-1 send a line and see the first byte of its echo before the signal:
	// the server has received it, so the whole reply must arrive. Clients 2-3 send
	// a line right before the signal: the server may or may not have read it.
	// Clients 4-5 are idle. Every client first makes a round trip, so all six are
	// served (not waiting in the backlog) when the signal comes.
	const clients = 6
	conns := make([]net.Conn, clients)
	sent := make([]string, clients)
	for i := range conns {
		conns[i] = cliDial(t, addr)
		hello := fmt.Sprintf("hello %d\n", i)
		if _, err := io.WriteString(conns[i], hello); err != nil {
			t.Fatalf("client %d: write: %v", i, err)
		}
		if got := cliReadN(t, conns[i], len(hello)); got != hello {
			t.Fatalf("client %d: echo = %q; want %q", i, got, hello)
		}
	}
	for i := range 4 {
		// Small enough to arrive as one segment, so the server reads it in one piece.
		sent[i] = fmt.Sprintf("pending %d %s\n", i, strings.Repeat("x", 1000))
		if _, err := io.WriteString(conns[i], sent[i]); err != nil {
			t.Fatalf("client %d: write: %v", i, err)
		}
	}
	got := make([]string, clients)
	for i := range 2 {
		got[i] = cliReadN(t, conns[i], 1)
	}
	// One more client sends far more than it reads: when the signal comes, the
	// server is blocked writing its echo. That reply must be finished and followed
	// by a clean EOF, not cut short by a reset.
	bulk := cliDial(t, addr)
	bulkSent, err := cliWriteUntilStalled(bulk, time.Second)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("bulk client: %v after %d bytes; want the writes to stall", err, bulkSent)
	}
	p.signal(t, sig)

	_ = bulk.SetReadDeadline(time.Now().Add(waitTimeout))
	echo, err := io.ReadAll(bulk)
	if err != nil {
		t.Errorf("bulk client: after the signal, read %d bytes then %v; want the reply, then EOF", len(echo), err)
	}
	if len(echo) == 0 || int64(len(echo)) > bulkSent {
		t.Errorf("bulk client: got %d bytes of echo after sending %d; want the part the server had read", len(echo), bulkSent)
	}
	for k, b := range echo {
		if b != cliStreamByte(int64(k)) {
			t.Errorf("bulk client: echo byte %d = %d; want %d", k, b, cliStreamByte(int64(k)))
			break
		}
	}
	_ = bulk.Close()

	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
		rest, err := io.ReadAll(c)
		got[i] += string(rest)
		if err != nil {
			t.Errorf("client %d: after the signal, read %q then %v; want the replies, then EOF", i, got[i], err)
		}
		_ = c.Close()
		switch {
		case i < 2 && got[i] != sent[i]:
			t.Errorf("client %d: got %q after the signal; want the whole reply %q", i, got[i], sent[i])
		case i >= 2 && got[i] != sent[i] && got[i] != "":
			t.Errorf("client %d: got %q after the signal; want the whole reply %q or nothing", i, got[i], sent[i])
		}
	}

	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("exit code %d after %v; want 0; stderr:\n%s", code, sig, p.stderr.String())
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("dial %s after exit succeeded; want refused", addr)
	}

	log := p.log(t)
	if !strings.HasSuffix(log, "\n") {
		t.Errorf("log does not end with a newline: its last entry is cut:\n%s", log)
	}
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	for _, line := range lines {
		if !strings.HasPrefix(line, "time=") {
			t.Errorf("log line %q is not a whole entry", line)
		}
	}
	if n := strings.Count(log, "connection opened"); n != clients+1 {
		t.Errorf("log has %d \"connection opened\" entries; want %d", n, clients+1)
	}
	for _, want := range []string{`msg=listening`, `msg="shutdown started"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	last := lines[len(lines)-1]
	if !containsAll(last, `msg="shutdown report"`, fmt.Sprintf("graceful=%d", clients+1), "forced=0") {
		t.Errorf("last log line = %q; want the shutdown report with graceful=%d forced=0", last, clients+1)
	}
}

// testCLISecondSignalForces ensures a second SIGINT during a shutdown that is
// stuck (a client that never reads keeps its connection's write blocked, and the
// shutdown timeout is long) makes the process exit at once with a non-zero code.
func testCLISecondSignalForces(t *testing.T, bin string) {
	p := cliStart(t, bin, "-behavior", "echo", "-write-timeout", "30s", "-shutdown-timeout", "30s", "0")
	c := cliDial(t, p.waitReady(t))
	// Write until the writes stall: the server's reader has stopped reading, so its
	// connection actor is blocked writing echoes we never read.
	if n, err := cliWriteUntilStalled(c, time.Second); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("writing to a server that echoes to a non-reader: %v after %d bytes; want the writes to stall", err, n)
	}

	p.signal(t, syscall.SIGINT)
	waitFor(t, "the first signal to start the shutdown", func() bool {
		return strings.Contains(p.stderr.String(), "shutting down")
	})
	if p.exited() {
		t.Fatalf("the process exited after one signal with a connection blocked; stderr:\n%s", p.stderr.String())
	}
	start := time.Now()
	p.signal(t, syscall.SIGINT)
	code := p.wait(t, waitTimeout)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("exit took %v after the second signal; want at once", took)
	}
	if code == 0 || code == -1 {
		t.Errorf("exit code %d after a second signal; want a non-zero exit status", code)
	}
	if want := "again: exiting now"; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr = %q; want it to contain %q", p.stderr.String(), want)
	}
}

// testCLIIdleSIGTERM ensures an idle server prints its ready line, and exits 0
// promptly on SIGTERM with a shutdown report of no connections.
func testCLIIdleSIGTERM(t *testing.T, bin string) {
	p := cliStart(t, bin, "0")
	p.waitReady(t)
	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("exit code %d after SIGTERM; want 0; stderr:\n%s", code, p.stderr.String())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("an idle server took %v to exit on SIGTERM; want well under a second", took)
	}
	lines := strings.Split(strings.TrimSpace(p.log(t)), "\n")
	if last := lines[len(lines)-1]; !containsAll(last, `msg="shutdown report"`, "graceful=0", "forced=0") {
		t.Errorf("last log line = %q; want the shutdown report with graceful=0 forced=0", last)
	}
}

// testCLIBadPort ensures an invalid port exits 2 with a message on stderr that
// names the value, and that nothing starts: no ready line, no log file.
func testCLIBadPort(t *testing.T, bin string) {
	for _, port := range []string{"abc", "70000", "-1"} {
		p := cliStart(t, bin, port)
		if code := p.wait(t, waitTimeout); code != 2 {
			t.Errorf("port %q: exit code %d; want 2", port, code)
		}
		if want := fmt.Sprintf("invalid port %q", port); !strings.Contains(p.stderr.String(), want) {
			t.Errorf("port %q: stderr = %q; want it to contain %q", port, p.stderr.String(), want)
		}
		if out := p.stdout.String(); out != "" {
			t.Errorf("port %q: stdout = %q; want nothing", port, out)
		}
		if _, err := os.Stat(p.logPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("port %q: log file exists (stat: %v); want nothing started", port, err)
		}
	}
}

// testCLIPortInUse ensures a port that is taken exits 1 with a clear message on
// stderr, no ready line, and a "cannot listen" entry in the log.
func testCLIPortInUse(t *testing.T, bin string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	p := cliStart(t, bin, port)
	if code := p.wait(t, waitTimeout); code != 1 {
		t.Errorf("exit code %d; want 1; stderr:\n%s", code, p.stderr.String())
	}
	if want := "cannot listen on " + addr; !containsAll(p.stderr.String(), want, "address already in use") {
		t.Errorf("stderr = %q; want it to contain %q and the cause", p.stderr.String(), want)
	}
	if out := p.stdout.String(); strings.Contains(out, "listening on") {
		t.Errorf("stdout = %q; want no ready line", out)
	}
	found := false
	for _, line := range strings.Split(p.log(t), "\n") {
		found = found || containsAll(line, `msg="cannot listen"`, addr, "address already in use")
	}
	if !found {
		t.Errorf("log lacks a \"cannot listen\" entry with the address and cause:\n%s", p.log(t))
	}
}

// testCLIHelp ensures -h exits 0 and lists every flag of the config with its
// default, as DESIGN.md's contract promises.
func testCLIHelp(t *testing.T, bin string) {
	p := cliStart(t, bin, "-h")
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("-h: exit code %d; want 0", code)
	}
	help := p.stdout.String() + p.stderr.String()
	// PrintDefaults writes each flag as "  -name type" followed by indented lines.
	flags := map[string]string{}
	var name string
	flagLine := regexp.MustCompile(`^  -([a-z-]+)`)
	for _, line := range strings.Split(help, "\n") {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			name = m[1]
		}
		if name != "" {
			flags[name] += line + "\n"
		}
	}
	cfg := actors.DefaultConfig()
	want := map[string]string{
		"port":             strconv.Quote(strconv.Itoa(cfg.Port)),
		"host":             strconv.Quote(cfg.Host),
		"behavior":         strconv.Quote(cfg.Behavior),
		"log-file":         strconv.Quote(cfg.Log.File),
		"log-format":       strconv.Quote(cfg.Log.Format),
		"log-level":        strconv.Quote(cfg.Log.Level),
		"max-conns":        fmt.Sprint(cfg.MaxConns),
		"idle-timeout":     cfg.IdleTimeout.String(),
		"write-timeout":    cfg.WriteTimeout.String(),
		"shutdown-timeout": cfg.ShutdownTimeout.String(),
	}
	for flag, def := range want {
		text, ok := flags[flag]
		switch {
		case !ok:
			t.Errorf("-h does not list -%s:\n%s", flag, help)
		case !strings.Contains(text, "(default "+def+")"):
			t.Errorf("-h lists -%s as %q; want its default (default %s)", flag, text, def)
		}
	}
}

// cliBuild builds the binary into a temporary directory removed when t ends, with
// the race detector if this test binary has it. TestCLI calls it once and shares
// the binary with its subtests, so the build happens once per run and the
// directory goes when the last subtest is done.
func cliBuild(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		t.Fatalf("go env GOMOD: %q, %v", gomod, err)
	}
	bin := filepath.Join(t.TempDir(), "async_server")
	args := []string{"build", "-o", bin}
	if cliRaceEnabled() {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// cliRaceEnabled reports whether this test binary was built with -race.
func cliRaceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// cliProcess is a running binary started by cliStart.
type cliProcess struct {
	cmd            *exec.Cmd
	stdout, stderr cliBuffer
	logPath        string
	done           chan struct{} // closed when the process has exited and been waited for
}

// cliStart runs bin with a log file in a temporary directory and args. The
// process is killed (if still running) and waited for when the test ends.
func cliStart(t testing.TB, bin string, args ...string) *cliProcess {
	t.Helper()
	p := &cliProcess{logPath: filepath.Join(t.TempDir(), "server.log"), done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"-log-file", p.logPath}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		_ = p.cmd.Wait() // the exit status is in cmd.ProcessState
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Kill()
		}
		<-p.done
		if out := p.stderr.String(); strings.Contains(out, "DATA RACE") {
			t.Errorf("the binary reported a data race:\n%s", out)
		}
	})
	return p
}

// waitReady waits for the ready line and returns the address in it.
func (p *cliProcess) waitReady(t testing.TB) string {
	t.Helper()
	ready := regexp.MustCompile(`listening on (\S+)`)
	var addr string
	waitFor(t, "the ready line", func() bool {
		if m := ready.FindStringSubmatch(p.stdout.String()); m != nil {
			addr = m[1]
			return true
		}
		if p.exited() {
			t.Fatalf("exited with code %d before the ready line; stderr:\n%s",
				p.cmd.ProcessState.ExitCode(), p.stderr.String())
		}
		return false
	})
	if _, _, err := net.SplitHostPort(addr); err != nil {
		t.Fatalf("ready line address %q: %v", addr, err)
	}
	return addr
}

func (p *cliProcess) signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

func (p *cliProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to d for the process to exit and returns its exit code (-1 if a
// signal killed it).
func (p *cliProcess) wait(t testing.TB, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("process still running after %v; stderr:\n%s", d, p.stderr.String())
		return 0
	}
}

// log returns the process's log file.
func (p *cliProcess) log(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		t.Fatalf("reading log: %v", err)
	}
	return string(b)
}

// cliBuffer is a bytes.Buffer that a process writes while the test reads it.
type cliBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *cliBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *cliBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cliDial connects to addr; the connection is closed when the test ends.
func cliDial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// cliReadN reads exactly n bytes within waitTimeout.
func cliReadN(t testing.TB, c net.Conn, n int) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	buf := make([]byte, n)
	if got, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("reading %d bytes: %v (got %q)", n, err, buf[:got])
	}
	return string(buf)
}

// cliWriteUntilStalled writes the stream of cliStreamByte to c until a write
// makes no progress for stall, and returns how much it wrote and the error that
// ended it (a deadline error when the peer stopped reading).
func cliWriteUntilStalled(c net.Conn, stall time.Duration) (int64, error) {
	chunk := make([]byte, 64<<10)
	var total int64
	for {
		for i := range chunk {
			chunk[i] = cliStreamByte(total + int64(i))
		}
		_ = c.SetWriteDeadline(time.Now().Add(stall))
		n, err := c.Write(chunk)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
}

// cliStreamByte is the byte at offset k of the stream cliWriteUntilStalled
// writes: a period (251) prime to every buffer size, so a reply with bytes
// lost or repeated does not match it.
func cliStreamByte(k int64) byte { return byte(k % 251) }
