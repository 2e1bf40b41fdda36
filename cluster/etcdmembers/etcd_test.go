package etcdmembers

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"async_server/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// etcdServer is a real etcd (Debian's etcd-server) started by a test on
// loopback ports picked at run time, with a data dir of its own, and killed
// by its PID when the test ends.
type etcdServer struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when its stderr reader has ended
}

// etcdStartTimeout bounds etcd's start on a loaded machine (it takes well
// under a second on a quiet one).
const etcdStartTimeout = 20 * time.Second

// startEtcd starts etcd, or skips the test where there is none. Its election
// timeout is short so that it grants 1 s leases (its minimum lease TTL is
// 1.5 election timeouts, rounded up to whole seconds).
func startEtcd(t testing.TB) *etcdServer {
	t.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		t.Skip("etcd not found on PATH (Debian: apt-get install etcd-server); skipping the etcd provider's tests")
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a picked port may be taken by the time etcd binds it
		s, err := tryStartEtcd(t, bin)
		if err == nil {
			t.Cleanup(s.kill)
			return s
		}
		lastErr = err
	}
	t.Fatalf("etcd did not start: %v", lastErr)
	return nil
}

func tryStartEtcd(t testing.TB, bin string) (*etcdServer, error) {
	client, peer := freePort(t), freePort(t)
	clientURL := "http://" + client
	peerURL := "http://" + peer
	cmd := exec.Command(bin,
		"--name", "test", "--data-dir", t.TempDir(),
		"--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "test="+peerURL,
		"--heartbeat-interval", "10", "--election-timeout", "100",
		"--logger", "zap", "--log-outputs", "stderr")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &etcdServer{cmd: cmd, url: clientURL, done: make(chan struct{})}
	ready := make(chan struct{})
	var tail []string
	go func() { // ends when etcd exits and the pipe closes
		defer close(s.done)
		signalled := false
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !signalled && isReadyLine(line) {
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
		return s, nil
	case <-s.done:
		s.kill()
		return nil, fmt.Errorf("etcd exited before it was ready:\n%s", strings.Join(tail, "\n"))
	case <-time.After(etcdStartTimeout):
		s.kill()
		return nil, fmt.Errorf("etcd not ready within %v", etcdStartTimeout)
	}
}

// isReadyLine reports etcd's line for "now serving clients": capnslog's, or
// zap's (3.4 logs no "ready" line with zap, only this one).
func isReadyLine(line string) bool {
	return strings.Contains(line, "ready to serve client requests") ||
		strings.Contains(line, "serving client traffic")
}

// kill ends etcd by its PID (SIGKILL: as abrupt as a crash) and waits for it.
// Safe to call twice.
func (s *etcdServer) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		<-s.done // the pipe must be drained before Wait
		_ = s.cmd.Wait()
	}
}

// signal sends sig (SIGSTOP, SIGCONT) to etcd's PID.
func (s *etcdServer) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to etcd: %v", sig, err)
	}
}

// freePort returns a loopback HOST:PORT that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}
