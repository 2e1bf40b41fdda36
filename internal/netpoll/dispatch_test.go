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

// TestAckWakesAwaitingReader ensures an ack given before the reader looks is
// taken without waiting, one given while it waits wakes it, and acks given
// twice before a look count as one.
func TestAckWakesAwaitingReader(t *testing.T) {
	c := &Conn{acks: make(chan struct{}, 1)}
	c.Ack()
	c.awaitAck(false) // given before: must not block
	done := make(chan struct{})
	go func() { c.awaitAck(false); close(done) }()
	for c.acked.Load() != ackAwaited { // the reader waits now
		time.Sleep(time.Millisecond)
	}
	c.Ack()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("an ack did not wake the awaiting reader")
	}
	c.Ack()
	c.Ack()
	c.awaitAck(false)
	if got := c.acked.Load(); got != ackNone || len(c.acks) != 0 {
		t.Fatalf("after two acks and one take: state %d, %d in the channel; want none, 0", got, len(c.acks))
	}
}
