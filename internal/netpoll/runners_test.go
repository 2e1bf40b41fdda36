package netpoll

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// goroutinesIn counts the goroutines whose stack names fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// TestRunnersReusedThenReaped ensures runs handed elsewhere one after another
// reuse one parked runner rather than start a goroutine each, and that the
// runner, and the reaper with it, are gone once it has been parked a while.
func TestRunnersReusedThenReaped(t *testing.T) {
	before := goroutinesIn("netpoll.runRunner")
	for range 100 {
		done := make(chan struct{})
		Go(func() { close(done) })
		<-done
		// The runner parks just after its run: wait for that, so the next run
		// can find it.
		deadline := time.Now().Add(10 * time.Second)
		for {
			runners.Lock()
			parked := len(runners.parked)
			runners.Unlock()
			if parked > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	if got := goroutinesIn("netpoll.runRunner") - before; got > 1 {
		t.Errorf("%d runner goroutines for 100 runs in a row; want 1", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for goroutinesIn("netpoll.runRunner") > 0 || goroutinesIn("netpoll.reapRunners") > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("runners or their reaper still running 10 s after the last run: %d, %d",
				goroutinesIn("netpoll.runRunner"), goroutinesIn("netpoll.reapRunners"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
