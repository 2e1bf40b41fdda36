package actors_test

// This file tests the command line contract (README: "Command line" and
// "Graceful shutdown") on the real binary: it is built once per run, started on
// port 0 with its log in a temporary directory, and driven with signals and
// real clients.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
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
		{"SIGHUP", func(t *testing.T, bin string) { skipIfHUPIgnored(t); testCLIGracefulShutdown(t, bin, syscall.SIGHUP) }},
		{"SecondSignalForces", func(t *testing.T, bin string) { testCLISecondSignalForces(t, bin, syscall.SIGINT, syscall.SIGINT) }},
		{"SecondSIGHUPForces", func(t *testing.T, bin string) {
			skipIfHUPIgnored(t)
			testCLISecondSignalForces(t, bin, syscall.SIGHUP, syscall.SIGHUP)
		}},
		{"NohupSIGHUPIgnored", testCLINohupSIGHUPIgnored},
		{"StderrGone", testCLIStderrGone},
		{"IdleSIGTERM", testCLIIdleSIGTERM},
		{"BadPort", testCLIBadPort},
		{"PortInUse", testCLIPortInUse},
		{"Help", testCLIHelp},
		{"BadFlags", testCLIBadFlags},
		{"Listen", testCLIListen},
		{"ListenInUse", testCLIListenInUse},
		{"Admin", testCLIAdmin},
		{"AdminBadFlags", testCLIAdminBadFlags},
		{"AdminInUse", testCLIAdminInUse},
		{"TLSUnused", testCLITLSUnused},
		{"TLS", testCLITLS},
		{"CPUProfile", testCLICPUProfile},
		{"CPUProfileBadPath", testCLICPUProfileBadPath},
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

// testCLISecondSignalForces ensures a second signal (second) during a shutdown
// that first started and that is stuck (a client that never reads keeps its
// connection's write blocked, and the shutdown timeout is long) makes the
// process exit at once with a non-zero code, and that the log says so in its
// last line (it used to end at "shutdown started").
func testCLISecondSignalForces(t *testing.T, bin string, first, second syscall.Signal) {
	p := cliStart(t, bin, "-behavior", "echo", "-write-timeout", "30s", "-shutdown-timeout", "30s", "0")
	c := cliDial(t, p.waitReady(t))
	// Write until the writes stall: the server's reader has stopped reading, so its
	// connection actor is blocked writing echoes we never read.
	if n, err := cliWriteUntilStalled(c, time.Second); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("writing to a server that echoes to a non-reader: %v after %d bytes; want the writes to stall", err, n)
	}

	p.signal(t, first)
	waitFor(t, "the first signal to start the shutdown", func() bool {
		return strings.Contains(p.stderr.String(), first.String()+": shutting down")
	})
	// Wait for the logger to have written what the first signal logs, so that
	// nothing it still holds can land after the forced exit's own line.
	waitFor(t, "the shutdown in the log", func() bool {
		b, _ := os.ReadFile(p.logPath)
		return strings.Contains(string(b), `msg="shutdown started"`)
	})
	if p.exited() {
		t.Fatalf("the process exited after one signal with a connection blocked; stderr:\n%s", p.stderr.String())
	}
	start := time.Now()
	p.signal(t, second)
	code := p.wait(t, waitTimeout)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("exit took %v after the second signal; want at once", took)
	}
	if code == 0 || code == -1 {
		t.Errorf("exit code %d after a second signal; want a non-zero exit status", code)
	}
	if want := second.String() + " again: exiting now"; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr = %q; want it to contain %q", p.stderr.String(), want)
	}
	log := p.log(t)
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasSuffix(log, "\n") || !strings.HasPrefix(last, "time=") ||
		!containsAll(last, "level=error", `msg="second signal: exiting now without draining"`, "signal="+second.String()) {
		t.Errorf("last log line = %q; want a whole entry: level=error msg=\"second signal: exiting now without draining\" signal=%s; log:\n%s",
			last, second, log)
	}
}

// testCLINohupSIGHUPIgnored ensures a server started with SIGHUP ignored (as
// nohup starts it) keeps ignoring it: a SIGHUP does nothing, so the SIGTERM
// that follows is the first signal, a graceful shutdown with exit 0. Were
// SIGHUP caught, it would start the shutdown (it is delivered first) and the
// SIGTERM would force the exit, status 1.
func testCLINohupSIGHUPIgnored(t *testing.T, bin string) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to start the binary with SIGHUP ignored")
	}
	p := cliStartVia(t, []string{"sh", "-c", `trap '' HUP; exec "$0" "$@"`}, bin, "0")
	p.waitReady(t)
	p.signal(t, syscall.SIGHUP)
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("exit code %d after SIGHUP (ignored) then SIGTERM; want 0; stderr:\n%s", code, p.stderr.String())
	}
	if errOut := p.stderr.String(); errOut != "async_server: terminated: shutting down (again to force)\n" {
		t.Errorf("stderr = %q; want only SIGTERM's shutdown line", errOut)
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

// skipIfHUPIgnored skips a test that sends the server SIGHUP when this process
// ignores it (run under nohup): the server inherits that, and rightly keeps
// ignoring it (NohupSIGHUPIgnored).
func skipIfHUPIgnored(t *testing.T) {
	if signal.Ignored(syscall.SIGHUP) {
		t.Skip("SIGHUP is ignored in this process (nohup): the server inherits that")
	}
}

// testCLIStderrGone ensures a server whose standard error has gone (it was
// piped to a program that has exited, as "async_server 2>&1 | tee" after the
// terminal closed) still shuts down gracefully: the line it writes there at a
// signal must not kill it with SIGPIPE.
func testCLIStderrGone(t *testing.T, bin string) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := cliStartCmd(t, nil, func(cmd *exec.Cmd) { cmd.Stderr = w }, bin, "-behavior", "echo", "0")
	w.Close()
	r.Close() // no reader left: a write to the pipe fails with EPIPE
	p.waitReady(t)
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, waitTimeout); code != 0 {
		t.Errorf("exit code %d; want 0 (%v)", code, p.cmd.ProcessState)
	}
	if !strings.Contains(p.log(t), `msg="shutdown report"`) {
		t.Errorf("no shutdown report in the log:\n%s", p.log(t))
	}
}
