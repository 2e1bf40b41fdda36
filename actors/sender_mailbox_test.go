package actors

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// goid is the calling goroutine's id, from its stack header.
func goid() uint64 {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// recordingInvoker is a mailbox's actor: it records, for each message, the
// goroutine that handled it; hold, if set, is waited on by the first user
// message; a message "panic" panics.
type recordingInvoker struct {
	mu        sync.Mutex
	user      []any
	on        []uint64
	escalated []any
	hold      chan struct{}
	held      chan struct{} // closed once the first message waits on hold
	all       sync.WaitGroup
}

func (r *recordingInvoker) InvokeUserMessage(msg any) {
	defer r.all.Done()
	msg = actor.UnwrapEnvelopeMessage(msg)
	r.mu.Lock()
	first := len(r.user) == 0
	r.user = append(r.user, msg)
	r.on = append(r.on, goid())
	r.mu.Unlock()
	if first && r.hold != nil {
		close(r.held)
		<-r.hold
	}
	if msg == "panic" {
		panic("boom")
	}
}

func (r *recordingInvoker) InvokeSystemMessage(any) {}

func (r *recordingInvoker) EscalateFailure(reason, msg any) {
	msg = actor.UnwrapEnvelopeMessage(msg)
	r.mu.Lock()
	r.escalated = append(r.escalated, msg)
	r.mu.Unlock()
}

// request is v as a connection sends it to a service (Conn.Request: an
// envelope whose Sender is the connection).
func request(v any) any {
	return &actor.MessageEnvelope{Message: v, Sender: actor.NewPID("test", "conn-1")}
}

func newRecording(t *testing.T) (*senderMailbox, *recordingInvoker) {
	t.Helper()
	m := newSenderMailbox().(*senderMailbox)
	r := &recordingInvoker{}
	m.RegisterHandlers(r, nil)
	return m, r
}

// TestSenderMailboxRunsOnSender ensures that a message finding the mailbox
// idle is handled before PostUserMessage returns, on the sender's goroutine:
// the round trip a connection makes to the key space needs no hand-off.
func TestSenderMailboxRunsOnSender(t *testing.T) {
	m, r := newRecording(t)
	r.all.Add(3)
	for i := range 3 {
		m.PostUserMessage(request(i))
		if len(r.user) != i+1 || r.on[i] != goid() {
			t.Fatalf("message %d: handled %d, on goroutine %v; want handled before the post returned, on %d", i, len(r.user), r.on, goid())
		}
	}
}

// TestSenderMailboxHandsLongRunsOff ensures that a sender that woke the
// mailbox handles at most onSenderRun messages, and a runner the rest, in
// order: a connection is not held serving every other connection's
// requests while its own reply waits.
func TestSenderMailboxHandsLongRunsOff(t *testing.T) {
	m, r := newRecording(t)
	r.hold, r.held = make(chan struct{}), make(chan struct{})
	const n = 3 * onSenderRun
	r.all.Add(n)
	sender := make(chan uint64)
	go func() {
		m.PostUserMessage(request(0)) // handled here, and held
		sender <- goid()
	}()
	<-r.held
	for i := 1; i < n; i++ {
		m.PostUserMessage(request(i)) // queued behind the held one: never run here
	}
	close(r.hold)
	id := <-sender
	r.all.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	onSender := 0
	for i, msg := range r.user {
		if msg != i {
			t.Fatalf("message %d handled as the %dth; want in order", msg, i)
		}
		if r.on[i] == id {
			onSender++
		}
	}
	if onSender != onSenderRun {
		t.Errorf("%d messages on the sender; want %d, then a runner", onSender, onSenderRun)
	}
}

// TestSenderMailboxInjectOnRunner ensures that an injected fault (a stall
// may last MaxStall) is never handled on its sender's goroutine, so that
// Server.Inject returns at once.
func TestSenderMailboxInjectOnRunner(t *testing.T) {
	m, r := newRecording(t)
	r.all.Add(1)
	m.PostUserMessage(&actor.MessageEnvelope{Message: &messages.Inject{}})
	r.all.Wait()
	if r.on[0] == goid() {
		t.Fatal("the injected fault ran on the goroutine that sent it")
	}
}

// TestSenderMailboxOthersOnRunner ensures that a message no actor sent
// (root's PoisonPill, a timer's tick, what remote delivers) is handled on a
// runner, not on the goroutine that posted it: root, a timer or remote's
// reader is never held by the service's queue.
func TestSenderMailboxOthersOnRunner(t *testing.T) {
	m, r := newRecording(t)
	for _, msg := range []any{&actor.PoisonPill{}, &actor.MessageEnvelope{Message: "tick"}} {
		r.all.Add(1)
		m.PostUserMessage(msg)
		r.all.Wait() // handled: the next finds the mailbox idle again
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, id := range r.on {
		if id == goid() {
			t.Errorf("message %v ran on the goroutine that posted it", r.user[i])
		}
	}
}

// TestSenderMailboxSuspendAndPanic ensures protoactor's mailbox contract: a
// panic is escalated with its message, and the run goes on; user messages
// wait while the mailbox is suspended, and are handled once it is resumed.
func TestSenderMailboxSuspendAndPanic(t *testing.T) {
	m, r := newRecording(t)
	r.all.Add(3)
	m.PostUserMessage(request("panic"))
	if len(r.escalated) != 1 || r.escalated[0] != "panic" {
		t.Fatalf("escalated %v; want the message that panicked", r.escalated)
	}
	m.PostSystemMessage(&actor.SuspendMailbox{})
	m.PostUserMessage(request("a"))
	m.PostUserMessage(request("b"))
	if len(r.user) != 1 || m.UserMessageCount() != 2 {
		t.Fatalf("handled %v while suspended, %d queued; want a and b queued", r.user, m.UserMessageCount())
	}
	m.PostSystemMessage(&actor.ResumeMailbox{}) // on a runner: wait for a and b
	r.all.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.user) != 3 || r.user[1] != "a" || r.user[2] != "b" {
		t.Fatalf("handled %v after the resume; want a, b", r.user)
	}
}

// TestFifoReusesItsArray ensures the queue's array stays bounded under a
// flow that never empties it, and is dropped after a burst.
func TestFifoReusesItsArray(t *testing.T) {
	var q fifo
	q.push(0)
	for i := 1; i < 10000; i++ {
		q.push(i)
		if v := q.pop(); v != i-1 {
			t.Fatalf("pop = %v; want %d", v, i-1)
		}
	}
	if cap(q.buf) > 4 {
		t.Errorf("cap %d after a flow of one at a time; want it reused", cap(q.buf))
	}
	for i := range 2 * fifoKeep {
		q.push(i)
	}
	for q.len() > 0 {
		q.pop()
	}
	if q.buf != nil {
		t.Errorf("cap %d kept after a burst; want dropped", cap(q.buf))
	}
}
