package clustertest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"async_server/internal/binary"
)

// Build returns the server binary, with the race detector if this test binary
// has it, built on the first call and shared with every later test of this
// run; the package's TestMain must pass binary.Remove to
// leakcheck.VerifyTestMain, which deletes it after the tests.
func Build(tb testing.TB) string {
	tb.Helper()
	return build(tb, RaceBuilt())
}

// BuildWithoutRace is Build without the race detector, for scenarios in
// which protoactor's own races would fail a -race node: once a member has
// left an etcd cluster, remote.BlockList.IsBlocked reads, without its lock,
// the set Block replaced (at the pinned version), on every connection
// another node opens. The in-process tests run this module's code under
// -race.
func BuildWithoutRace(tb testing.TB) string {
	tb.Helper()
	return build(tb, false)
}

func build(tb testing.TB, race bool) string {
	tb.Helper()
	return binary.Build(tb, race)
}

// RaceBuilt reports whether this test binary was built with -race, and so
// the binary Build makes: its processes are slower, and take about a
// second more to exit (the race detector's finalizer runs after os.Exit).
func RaceBuilt() bool { return binary.RaceBuilt() }

// WaitFor polls cond every 10 ms until it holds, and fails tb after timeout.
func WaitFor(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// buffer is a bytes.Buffer a process writes while the test reads it.
type buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// RunOnce runs bin with args (and a log file of its own) to its exit, which
// must come within d, and returns its exit status and standard error: for
// nodes that must refuse to start.
func RunOnce(tb testing.TB, bin string, d time.Duration, args ...string) (int, string) {
	tb.Helper()
	n := &Node{bin: bin, args: args, Addr: "(run once)", owner: tb}
	n.start()
	n.Wait(tb, d)
	return n.ExitCode(), n.Stderr()
}
