package netpoll

import (
	"testing"
	"time"
)

// TestRunnerBlockedHoldsOnlyItself ensures a mailbox run that blocks (a write
// to a peer that does not read) holds only its runner: the next run is handed
// to another goroutine and runs at once, and a runner freed by its run is
// reused.
func TestRunnerBlockedHoldsOnlyItself(t *testing.T) {
	release, blocked := make(chan struct{}), make(chan struct{})
	Go(func() { close(blocked); <-release })
	<-blocked
	ran := make(chan struct{})
	Go(func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("a run waited behind a blocked one")
	}
	close(release)
}

// TestDeliverRunsOnReader ensures a run scheduled while the reader is inside
// deliver is handed to the reader (the caller of deliver), not to a runner.
func TestDeliverRunsOnReader(t *testing.T) {
	var d Dispatcher
	ranInline := false
	d.state.Store(awake)
	inDeliver := true
	d.Schedule(func() { ranInline = inDeliver }) // as root.Send would, on the reader
	d.sleep()
	inDeliver = false
	if !ranInline {
		t.Fatal("a run scheduled while the reader was awake did not run on the reader")
	}
}
