package clustertest

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Etcd is a real etcd (Debian's etcd-server) on loopback ports chosen at run
// time, with a data directory of its own, killed by its PID when the test
// ends.
type Etcd struct {
	URL  string // its client URL, for Options.Etcd
	cmd  *exec.Cmd
	done chan struct{} // closed when its standard error has ended (it exited)
}

// etcdStartTimeout bounds etcd's start on a loaded machine (well under a
// second on a quiet one).
const etcdStartTimeout = 20 * time.Second

// StartEtcd starts etcd, or skips the test where there is none. Its
// election timeout is short so that it grants 1 s leases (its least lease is
// 1.5 election timeouts, rounded up to whole seconds).
func StartEtcd(tb testing.TB) *Etcd {
	tb.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		tb.Skip("etcd not found on PATH (Debian: apt-get install etcd-server)")
	}
	var last error
	for range 3 { // a port chosen may be taken before etcd binds it
		e, err := tryEtcd(tb, bin)
		if err == nil {
			tb.Cleanup(e.Kill)
			return e
		}
		last = err
	}
	tb.Fatalf("etcd did not start: %v", last)
	return nil
}

func tryEtcd(tb testing.TB, bin string) (*Etcd, error) {
	two := FreeAddrs(tb, 2)
	client, peer := "http://"+two[0], "http://"+two[1]
	cmd := exec.Command(bin, "--name", "test", "--data-dir", tb.TempDir(),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test="+peer,
		"--heartbeat-interval", "10", "--election-timeout", "100",
		"--logger", "zap", "--log-outputs", "stderr")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &Etcd{URL: client, cmd: cmd, done: make(chan struct{})}
	ready := make(chan struct{})
	var tail []string // its first lines, for the error; only its goroutine writes it before done
	go func() {
		defer close(e.done)
		signalled := false
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !signalled && (strings.Contains(line, "ready to serve client requests") || strings.Contains(line, "serving client traffic")) {
				close(ready)
				signalled = true
			}
			if len(tail) < 20 {
				tail = append(tail, line)
			}
		}
	}()
	select {
	case <-ready:
		return e, nil
	case <-e.done:
		e.Kill()
		return nil, fmt.Errorf("etcd exited before it was ready:\n%s", strings.Join(tail, "\n"))
	case <-time.After(etcdStartTimeout):
		e.Kill()
		return nil, fmt.Errorf("etcd not ready within %v", etcdStartTimeout)
	}
}

// Kill ends etcd by its PID, as abruptly as a crash, and waits for it. Safe
// to call twice.
func (e *Etcd) Kill() {
	if e.cmd.ProcessState == nil {
		_ = e.cmd.Process.Kill()
		<-e.done // its standard error must be read to the end before Wait
		_ = e.cmd.Wait()
	}
}

// Signal sends sig to etcd's PID: SIGSTOP and SIGCONT stall it and let it go
// on (cluster/etcdmembers's tests).
func (e *Etcd) Signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := e.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("signal %v to etcd: %v", sig, err)
	}
}
