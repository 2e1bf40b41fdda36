package clustertest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options says what cluster Start runs.
type Options struct {
	Binary   string   // from Build
	Nodes    int      // how many; 0 means 3
	Name     string   // the cluster's name; "" means "test"
	Behavior string   // each node's behavior; "" means chat (a cluster shares chat's or resp's state; echo has none and is refused)
	Etcd     []string // etcd's client URLs: membership by lease instead of a static -peers list
	Args     []string // more flags for every node (-cluster-request-timeout 200ms, say)
	Peers    []string // more addresses for every node's -peers list, beside the nodes' own
}

// StartTimeout bounds a node's start: the library's own start sleeps 1 s,
// and a -race binary on a loaded machine is slow.
const StartTimeout = 30 * time.Second

// Node is one running node.
type Node struct {
	Addr    string // its -node-addr
	Listen  string // its behavior's listener, from its ready line
	Admin   string // its admin endpoint (host:port)
	LogPath string // its server.log

	args           []string // the command line it was started with, for Restart
	bin            string
	owner          testing.TB // the test that started it: its end kills the node, restarted or not
	cmd            *exec.Cmd
	stdout, stderr *buffer       // the current process's
	done           chan struct{} // closed once it has exited and been waited for
	procs          []*proc       // every process it ran, the current one last (GrainLives)
}

// proc is one process a Node ran: its log, and when it was seen to exit.
type proc struct {
	log    string
	done   chan struct{} // closed once it has exited; exited is set before
	exited time.Time     // just after its exit was seen: no earlier than its end
}

// Start starts o.Nodes nodes at once, each on loopback ports chosen now,
// and waits for every one's ready lines (listening, admin). With a static
// list every node's -peers names them all.
func Start(tb testing.TB, o Options) []*Node {
	tb.Helper()
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Name == "" {
		o.Name = "test"
	}
	if o.Behavior == "" {
		o.Behavior = "chat"
	}
	nodes := make([]*Node, o.Nodes)
	addrs := FreeAddrs(tb, o.Nodes)
	for i := range nodes {
		args := []string{"-behavior", o.Behavior, "-port", "0", "-admin", "127.0.0.1:0",
			"-cluster", o.Name, "-node-addr", addrs[i]}
		if len(o.Etcd) > 0 {
			args = append(args, "-etcd", strings.Join(o.Etcd, ","))
		} else {
			args = append(args, "-peers", strings.Join(append(slices.Clone(addrs), o.Peers...), ","))
		}
		nodes[i] = &Node{Addr: addrs[i], bin: o.Binary, args: append(args, o.Args...), owner: tb}
		nodes[i].start()
	}
	for _, n := range nodes {
		n.WaitReady(tb)
	}
	return nodes
}

// FreeAddr returns a loopback address whose port was free just now (the
// kernel's choice for port 0; another process could take it before the
// node binds it, and the node then fails to start, saying so).
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	return FreeAddrs(tb, 1)[0]
}

// FreeAddrs returns n loopback addresses whose ports were free just now,
// each a different one: all n are held open until the last is chosen, as
// the kernel may choose a port just closed again (two nodes of one test
// once got the same port, and the second refused its -peers list).
func FreeAddrs(tb testing.TB, n int) []string {
	tb.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("finding a free port: %v", err)
		}
		defer ln.Close()
		addrs[i] = ln.Addr().String()
	}
	return addrs
}

// start runs the node's process; it is killed, if still running, and waited
// for when the test that started the node (owner) ends, not a subtest that
// restarted it.
func (n *Node) start() {
	tb := n.owner
	tb.Helper()
	n.LogPath = filepath.Join(tb.TempDir(), "server.log")
	stdout, stderr := &buffer{}, &buffer{}
	n.stdout, n.stderr = stdout, stderr
	n.Listen, n.Admin = "", ""
	n.done = make(chan struct{})
	n.cmd = exec.Command(n.bin, append([]string{"-log-file", n.LogPath}, n.args...)...)
	n.cmd.Stdout, n.cmd.Stderr = stdout, stderr
	if err := n.cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", n.bin, err)
	}
	cmd, done := n.cmd, n.done
	p := &proc{log: n.LogPath, done: done}
	n.procs = append(n.procs, p)
	go func() {
		_ = cmd.Wait() // the exit status is in cmd.ProcessState
		p.exited = time.Now()
		close(done)
	}()
	tb.Cleanup(func() {
		select {
		case <-done:
			if tb.Failed() { // a node that ended by itself may be why: say how
				tb.Logf("node %s had exited with status %d; stderr:\n%s", n.Addr, cmd.ProcessState.ExitCode(), tail(stderr.String()))
			}
		default:
			_ = cmd.Process.Kill()
			<-done
		}
		if out := stderr.String(); strings.Contains(out, "DATA RACE") {
			tb.Errorf("node %s reported a data race:\n%s", n.Addr, out)
		}
	})
}

// Restart starts a node that has exited again, with the same command line
// (the same -node-addr), and waits for its ready lines. Like the first, the
// new process lives until the test that called Start ends.
func (n *Node) Restart(tb testing.TB) {
	tb.Helper()
	if !n.Exited() {
		tb.Fatalf("node %s: Restart while it runs", n.Addr)
	}
	n.start()
	n.WaitReady(tb)
}

var (
	listening = regexp.MustCompile(`: \S+ listening on (\S+)`)
	adminLine = regexp.MustCompile(`admin listening on (\S+)`)
)

// WaitReady waits for the node's ready lines and reads its addresses.
func (n *Node) WaitReady(tb testing.TB) {
	tb.Helper()
	WaitFor(tb, "node "+n.Addr+"'s ready lines", StartTimeout, func() bool {
		out := n.stdout.String()
		l, a := listening.FindStringSubmatch(out), adminLine.FindStringSubmatch(out)
		if l != nil && a != nil {
			n.Listen, n.Admin = l[1], a[1]
			return true
		}
		if n.Exited() {
			tb.Fatalf("node %s exited with status %d before it was ready; stderr:\n%s", n.Addr, n.ExitCode(), n.stderr.String())
		}
		return false
	})
}

// Signal sends sig to the node's process.
func (n *Node) Signal(tb testing.TB, sig os.Signal) {
	tb.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("node %s: signal %v: %v", n.Addr, sig, err)
	}
}

// Pause stops the node's process (SIGSTOP) and waits until every one of
// its threads has stopped. The signal alone is not enough for a test that
// then expects the node to answer nothing: the kernel delivers it to one
// thread, and the group stop begins only when that thread runs, which on a
// loaded machine can be after the node's other threads have served a
// request or two (seen: a GET answered by a node the test had just
// stopped). Where there is no /proc, it returns once the signal is sent.
func (n *Node) Pause(tb testing.TB) {
	tb.Helper()
	n.Signal(tb, syscall.SIGSTOP)
	task := "/proc/" + strconv.Itoa(n.cmd.Process.Pid) + "/task"
	if _, err := os.Stat(task); err != nil {
		return
	}
	WaitFor(tb, "node "+n.Addr+"'s threads to stop", StartTimeout, func() bool { return allStopped(task) })
}

// allStopped says whether every thread listed in task (/proc/PID/task) is
// stopped (state T, or t when traced).
func allStopped(task string) bool {
	threads, err := os.ReadDir(task)
	if err != nil {
		return false
	}
	for _, th := range threads {
		stat, err := os.ReadFile(filepath.Join(task, th.Name(), "stat"))
		if err != nil {
			continue // the thread has exited
		}
		// "TID (COMM) STATE ...": the state follows the last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 || i+2 >= len(stat) || (stat[i+2] != 'T' && stat[i+2] != 't') {
			return false
		}
	}
	return true
}

// Resume continues a node Pause stopped (SIGCONT).
func (n *Node) Resume(tb testing.TB) {
	tb.Helper()
	n.Signal(tb, syscall.SIGCONT)
}

// Exited reports whether the node's process has exited.
func (n *Node) Exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// Done is closed once the node's process has exited.
func (n *Node) Done() <-chan struct{} { return n.done }

// ExitCode returns the exit status of a node that has exited (-1 when a
// signal killed it).
func (n *Node) ExitCode() int { return n.cmd.ProcessState.ExitCode() }

// Wait waits up to d for the node to exit and returns its exit status; it
// fails tb if it is still running then.
func (n *Node) Wait(tb testing.TB, d time.Duration) int {
	tb.Helper()
	select {
	case <-n.done:
		return n.ExitCode()
	case <-time.After(d):
		tb.Fatalf("node %s still running after %v; stderr:\n%s", n.Addr, d, n.stderr.String())
		return 0
	}
}

// Stderr returns what the node wrote to standard error so far.
func (n *Node) Stderr() string { return n.stderr.String() }

// Log returns the node's server.log so far.
func (n *Node) Log(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(n.LogPath)
	if err != nil {
		tb.Fatalf("node %s: reading its log: %v", n.Addr, err)
	}
	return string(b)
}

// adminClient bounds every admin request: a stalled node must not hang a test.
var adminClient = &http.Client{Timeout: 2 * time.Second}

// Get fetches path from the node's admin endpoint and returns the body.
func (n *Node) Get(path string) (string, error) {
	resp, err := adminClient.Get("http://" + n.Admin + path)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return string(body), err
}

// Metric returns the value of the unlabelled metric name from the node's
// /metrics, or an error when the node does not answer or has no such metric.
func (n *Node) Metric(name string) (float64, error) {
	body, err := n.Get("/metrics")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no metric %s", name)
}

// WaitFormed waits until every node's links to every other work
// (async_server_cluster_members_up equals the number of nodes on each).
func WaitFormed(tb testing.TB, nodes []*Node) {
	tb.Helper()
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			waitMetric(n, "async_server_cluster_members_up", float64(len(nodes)), StartTimeout)
		}()
	}
	wg.Wait()
	for _, n := range nodes {
		if n.Exited() {
			tb.Fatalf("node %s exited with status %d; stderr:\n%s", n.Addr, n.ExitCode(), n.Stderr())
		}
		if v, err := n.Metric("async_server_cluster_members_up"); err != nil || v != float64(len(nodes)) {
			tb.Fatalf("node %s sees %v members up (%v); want %d", n.Addr, v, err, len(nodes))
		}
	}
}

// waitMetric polls n's metric name until it equals want or d passes, and
// reports whether it did.
func waitMetric(n *Node, name string, want float64, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && !n.Exited() {
		if v, err := n.Metric(name); err == nil && v == want {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// tail returns the last 2 000 bytes of s, enough for a node's last lines.
func tail(s string) string {
	const n = 2000
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
