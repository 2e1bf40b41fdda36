package actors_test

// The harness of the command-line tests: building the binary, starting it,
// reading its ready line, signalling it, and the clients the tests use.

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/internal/binary"
)

// cliBuild returns the binary, with the race detector if this test binary has
// it, built by the first test that asks and shared with the rest of this run
// (binary.Build); TestMain removes it.
func cliBuild(t testing.TB) string {
	t.Helper()
	return binary.Build(t, binary.RaceBuilt())
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
	return cliStartVia(t, nil, bin, args...)
}

// cliStartVia is cliStart through the command via, when given: a command that
// sets something up and then execs bin with its arguments (so that the
// process, its pid and its signals are bin's), e.g. a shell that ignores SIGHUP
// as nohup does.
func cliStartVia(t testing.TB, via []string, bin string, args ...string) *cliProcess {
	t.Helper()
	return cliStartCmd(t, via, nil, bin, args...)
}

// cliStartCmd is cliStartVia with setup, if not nil, run on the command just
// before it starts (to give it another standard error, say).
func cliStartCmd(t testing.TB, via []string, setup func(*exec.Cmd), bin string, args ...string) *cliProcess {
	t.Helper()
	p := &cliProcess{logPath: filepath.Join(t.TempDir(), "server.log"), done: make(chan struct{})}
	argv := append(append(append(slices.Clone(via), bin), "-log-file", p.logPath), args...)
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if setup != nil {
		setup(p.cmd)
	}
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

// cliExpectEcho sends line to the echo listener at addr on a connection of
// its own and checks it comes back.
func cliExpectEcho(t testing.TB, addr, line string) {
	t.Helper()
	c := cliDial(t, addr)
	fmt.Fprint(c, line)
	if got := cliReadN(t, c, len(line)); got != line {
		t.Errorf("the echo listener on %s answered %q; want %q", addr, got, line)
	}
	c.Close()
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
