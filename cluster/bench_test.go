package cluster

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"async_server/cluster/clustertest"
)

// The benchmark's two nodes are this test binary run again with these
// variables: benchRole (host or caller), the node's address and the peers.
const (
	benchRole     = "ASYNC_SERVER_BENCH_ROLE"
	benchSelf     = "ASYNC_SERVER_BENCH_SELF"
	benchPeers    = "ASYNC_SERVER_BENCH_PEERS"
	benchRequests = "ASYNC_SERVER_BENCH_REQUESTS"
	benchKind     = "benchecho"
)

// BenchmarkRequest measures a grain request that crosses nodes: two nodes on
// loopback (processes), the caller's Node.Request to echo grains that the
// other node hosts (looked up once, then cached), a 64-byte payload. It
// reports the latency of sequential requests (p50, p99), the throughput of
// one caller and of 32 concurrent ones, the latency of the same requests to
// grains on the caller's own node (same-node-*), and the requests that got
// no answer within the 1 s request timeout (a loaded machine stalls a node
// that long). The nodes measure themselves, so
// ns/op is meaningless: run it once, e.g.
//
//	go test -run '^$' -bench BenchmarkRequest -benchtime 1x ./cluster/
//
// ASYNC_SERVER_BENCH_REQUESTS sets the number of requests (default 20000).
func BenchmarkRequest(b *testing.B) {
	two := clustertest.FreeAddrs(b, 2)
	host, caller := two[0], two[1]
	peers := host + "," + caller
	hostCmd := benchCommand(b, "host", host, peers)
	stdin, err := hostCmd.StdinPipe() // the host runs until it closes
	if err != nil {
		b.Fatal(err)
	}
	if err := hostCmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); _ = hostCmd.Wait() }()
	out, err := benchCommand(b, "caller", caller, peers).Output()
	if err != nil {
		b.Fatalf("the caller: %v\n%s", err, out)
	}
	fields := strings.Fields(strings.TrimSpace(string(out)))
	if len(fields) == 0 || fields[0] != "result" {
		b.Fatalf("the caller said %q", out)
	}
	for _, f := range fields[1:] {
		name, v, _ := strings.Cut(f, "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			b.Fatalf("the caller said %q", out)
		}
		b.ReportMetric(x, name)
	}
}

func benchCommand(b *testing.B, role, self, peers string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), benchRole+"="+role, benchSelf+"="+self, benchPeers+"="+peers)
	cmd.Stderr = os.Stderr
	return cmd
}

// runBenchRole runs one of the benchmark's nodes (in a process of its own)
// and returns the exit status.
func runBenchRole(role string) int {
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	echo := pcluster.NewKind(benchKind, actor.PropsFromFunc(func(ctx actor.Context) {
		if m, ok := ctx.Message().(*wrapperspb.BytesValue); ok {
			ctx.Respond(m)
		}
	}))
	cfg := DefaultConfig()
	cfg.Name, cfg.NodeAddr, cfg.Peers = "bench", os.Getenv(benchSelf), strings.Split(os.Getenv(benchPeers), ",")
	n, err := Start(sys, cfg, []*pcluster.Kind{echo}, logrus.NewEntry(quiet))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench node:", err)
		return 1
	}
	defer n.Stop()
	if role == "host" {
		_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark closes it
		return 0
	}
	if err := benchCall(n, cfg.Peers[0]); err != nil {
		fmt.Fprintln(os.Stderr, "bench caller:", err)
		return 1
	}
	return 0
}

// benchCall measures requests from n to echo grains hosted on host and
// prints one result line.
func benchCall(n *Node, host string) error {
	total := 20000
	if v, err := strconv.Atoi(os.Getenv(benchRequests)); err == nil && v > 0 {
		total = v
	}
	ids, local := benchIDs(n, host), benchIDs(n, n.cfg.NodeAddr)
	msg := &wrapperspb.BytesValue{Value: make([]byte, 64)}
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range append(append([]string(nil), ids...), local...) { // activate them all, waiting for the host to answer
		for {
			if _, err := n.Request(id, benchKind, msg); err == nil {
				break
			} else if time.Now().After(deadline) {
				return err
			}
		}
	}
	lat := make([]time.Duration, total)
	failed := 0 // no answer within -cluster-request-timeout (1 s): counted in the latency as such
	began := time.Now()
	for i := range lat {
		t := time.Now()
		if _, err := n.Request(ids[i%len(ids)], benchKind, msg); err != nil {
			failed++
		}
		lat[i] = time.Since(t)
	}
	seq := float64(total) / time.Since(began).Seconds()
	// The same requests to grains on the caller's own node, for comparison.
	same := make([]time.Duration, total)
	for i := range same {
		t := time.Now()
		if _, err := n.Request(local[i%len(local)], benchKind, msg); err != nil {
			failed++
		}
		same[i] = time.Since(t)
	}
	slices.Sort(same)
	par, parFailed := benchParallel(n, ids, msg, total, 32)
	slices.Sort(lat)
	w := bufio.NewWriter(os.Stdout)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	fmt.Fprintf(w, "result requests=%d p50-µs=%.1f p99-µs=%.1f seq-req/s=%.0f par32-req/s=%.0f same-node-p50-µs=%.1f same-node-p99-µs=%.1f failed=%d\n",
		total, us(lat[total/2]), us(lat[total*99/100]), seq, par, us(same[total/2]), us(same[total*99/100]), failed+parFailed)
	return w.Flush()
}

// benchIDs returns 64 grain identities that the cluster places on owner.
func benchIDs(n *Node, owner string) []string {
	var ids []string
	for i := 0; len(ids) < 64 && i < 100000; i++ {
		id := "g" + strconv.Itoa(i)
		if n.view.owner(pcluster.NewClusterIdentity(id, benchKind)) == owner {
			ids = append(ids, id)
		}
	}
	return ids
}

// benchParallel sends total requests from callers goroutines at once and
// returns the requests per second and how many failed.
func benchParallel(n *Node, ids []string, msg *wrapperspb.BytesValue, total, callers int) (float64, int) {
	var wg sync.WaitGroup
	var failed atomic.Int64
	began := time.Now()
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < total; i += callers {
				if _, err := n.Request(ids[i%len(ids)], benchKind, msg); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(total) / time.Since(began).Seconds(), int(failed.Load())
}
