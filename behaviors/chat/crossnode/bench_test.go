package crossnode_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"async_server/cluster/clustertest"
)

// BenchmarkChatFanoutCluster runs chat's fan-out with a room's members
// spread over three nodes (a static list; the room hosted on the second
// node, the sender on the first: each line crosses two links to reach a
// third of the members) beside the same room on one node without a
// cluster, in the same run, A B B A: one sender, 30 members, 64-byte lines,
// flood control off (-chat-flood=false) on both. It reports lines delivered
// per second (lines sent x members) for both, and their ratio (cluster /
// one node; 1.0 is parity).
//
//	go test -run '^$' -bench ChatFanoutCluster -benchtime 2000x ./behaviors/chat/crossnode/
func BenchmarkChatFanoutCluster(b *testing.B) {
	const members = 30
	bin := clustertest.Build(b)
	nodes := clustertest.Start(b, clustertest.Options{Binary: bin, Behavior: "chat",
		Args: []string{"-chat-flood=false", "-log-level", "warn"}})
	clustertest.WaitFormed(b, nodes)
	room := roomOn(b, nodes, nodes[1], "bench")
	spread := benchRoom(b, room, members, func(i int) string { return nodes[i%len(nodes)].Listen })
	single := startSingle(b, bin)
	alone := benchRoom(b, "bench", members, func(int) string { return single })

	b.ResetTimer()
	half := max(b.N/2, 1)
	var cl, one time.Duration
	cl += spread.run(b, half)
	one += alone.run(b, half)
	one += alone.run(b, half)
	cl += spread.run(b, half)
	n := float64(2 * half * members)
	b.ReportMetric(n/cl.Seconds(), "cluster-lines/s")
	b.ReportMetric(n/one.Seconds(), "single-lines/s")
	b.ReportMetric(one.Seconds()/cl.Seconds(), "ratio")
}

// startSingle starts one node of bin without a cluster and returns its
// listener; it is killed when b ends.
func startSingle(b *testing.B, bin string) string {
	b.Helper()
	var out bytes.Buffer
	var mu sync.Mutex
	cmd := exec.Command(bin, "-behavior", "chat", "-port", "0", "-chat-flood=false", "-log-level", "warn",
		"-log-file", filepath.Join(b.TempDir(), "server.log"))
	cmd.Stdout = writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	b.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	listening := regexp.MustCompile(`listening on (\S+)`)
	var addr string
	clustertest.WaitFor(b, "the single node's listening line", clustertest.StartTimeout, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if m := listening.FindSubmatch(out.Bytes()); m != nil {
			addr = string(m[1])
			return true
		}
		return false
	})
	return addr
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// fanout is a room's members and its one sender.
type fanout struct {
	sender  *client
	members []*client
}

// benchRoom joins members (member i on the node at addrOf(i)) and then a
// sender (at addrOf(0)) to room, and waits until every member has read that
// the sender joined.
func benchRoom(b *testing.B, room string, members int, addrOf func(int) string) *fanout {
	b.Helper()
	f := &fanout{}
	join := func(nick, addr string) *client {
		c := dialAddr(b, addr)
		c.send("/nick "+nick, "/join "+room)
		c.skipUntil("* you joined " + room)
		return c
	}
	for i := range members {
		f.members = append(f.members, join(fmt.Sprintf("m%d", i), addrOf(i)))
	}
	f.sender = join("sender", addrOf(0))
	for _, m := range f.members {
		m.skipUntil("* sender joined " + room)
	}
	return f
}

// run sends n lines and returns how long it took until every member had
// read them all.
func (f *fanout) run(b *testing.B, n int) time.Duration {
	b.Helper()
	line := append(bytes.Repeat([]byte("x"), 63), '\n')
	out := bytes.Repeat(line, n)
	errs := make(chan error, len(f.members)+1)
	var wg sync.WaitGroup
	start := time.Now()
	for _, m := range f.members {
		wg.Go(func() { errs <- readN(m.r, m, n) })
	}
	go func() {
		_ = f.sender.SetWriteDeadline(time.Now().Add(time.Minute))
		_, err := f.sender.Write(out)
		errs <- err
	}()
	wg.Wait()
	elapsed := time.Since(start)
	for range len(f.members) + 1 {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	return elapsed
}

// readN reads until n more lines have come.
func readN(r *bufio.Reader, c *client, n int) error {
	_ = c.SetReadDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 64<<10)
	for n > 0 {
		k, err := r.Read(buf)
		n -= bytes.Count(buf[:k], []byte("\n"))
		if err != nil {
			return err
		}
	}
	return nil
}
