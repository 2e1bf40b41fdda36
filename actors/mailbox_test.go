package actors

import (
	"errors"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// fakeInvoker records what a mailbox hands it; a message "panic" panics.
type fakeInvoker struct {
	user, sys []any
	escalated []any
	onUser    func(msg any)
}

func (f *fakeInvoker) InvokeSystemMessage(m any) { f.sys = append(f.sys, m) }
func (f *fakeInvoker) InvokeUserMessage(m any) {
	if f.onUser != nil {
		f.onUser(m)
	}
	if m == "panic" {
		panic(errors.New("boom"))
	}
	f.user = append(f.user, m)
}
func (f *fakeInvoker) EscalateFailure(reason, m any) { f.escalated = append(f.escalated, m) }

// queueDispatcher keeps the runs it is given, for the test to run.
type queueDispatcher struct{ runs []func() }

func (d *queueDispatcher) Schedule(fn func()) { d.runs = append(d.runs, fn) }
func (d *queueDispatcher) Throughput() int    { return 300 }

func (d *queueDispatcher) runAll() {
	for len(d.runs) > 0 {
		fn := d.runs[0]
		d.runs = d.runs[1:]
		fn()
	}
}

func newTestMailbox() (*mailbox, *fakeInvoker, *queueDispatcher) {
	m := newMailbox(&outbox{})
	inv, disp := &fakeInvoker{}, &queueDispatcher{}
	m.RegisterHandlers(inv, disp)
	return m, inv, disp
}

// The reader's message to an idle, empty mailbox runs at once, on the
// reader's goroutine, with nothing scheduled and nothing allocated.
func TestMailboxDeliverRunsInline(t *testing.T) {
	m, inv, disp := newTestMailbox()
	msg := &struct{ n int }{}
	m.deliver(msg)
	if len(inv.user) != 1 || inv.user[0] != msg || len(disp.runs) != 0 {
		t.Fatalf("delivered %v, scheduled %d runs; want the message handled inline, none scheduled", inv.user, len(disp.runs))
	}
	inv.user = inv.user[:0:1]
	if n := testing.AllocsPerRun(100, func() { m.deliver(msg); inv.user = inv.user[:0] }); n != 0 {
		t.Errorf("deliver allocated %v times per message; want 0", n)
	}
}

// Messages queued before the reader's run first, in order; a message posted
// while the mailbox runs elsewhere is queued for that run.
func TestMailboxDeliverKeepsOrder(t *testing.T) {
	m, inv, disp := newTestMailbox()
	m.PostUserMessage("a") // scheduled, not run yet: the mailbox is running
	m.deliver("b")         // finds it running: queued behind a
	if len(inv.user) != 0 {
		t.Fatalf("handled %v before the scheduled run", inv.user)
	}
	disp.runAll()
	if got := inv.user; len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("handled %v; want [a b]", got)
	}
}

// A panic in the reader's inline run is escalated with its message, and a
// suspended mailbox queues the reader's next message until it is resumed.
func TestMailboxDeliverSuspended(t *testing.T) {
	m, inv, disp := newTestMailbox()
	inv.onUser = func(msg any) {
		if msg == "panic" { // as actorContext.EscalateFailure does
			m.PostSystemMessage(&actor.SuspendMailbox{})
		}
	}
	m.deliver("panic")
	if len(inv.escalated) != 1 || inv.escalated[0] != "panic" || !m.suspended.Load() {
		t.Fatalf("escalated %v, suspended %v; want the panic's message escalated, suspended", inv.escalated, m.suspended.Load())
	}
	m.deliver("next")
	if len(inv.user) != 0 || m.UserMessageCount() != 1 {
		t.Fatalf("handled %v while suspended (%d queued)", inv.user, m.UserMessageCount())
	}
	m.PostSystemMessage(&actor.ResumeMailbox{})
	disp.runAll()
	if len(inv.user) != 1 || inv.user[0] != "next" || m.UserMessageCount() != 0 {
		t.Fatalf("handled %v after the resume; want [next]", inv.user)
	}
}

// The queue's stub lives as long as the mailbox: popping must unlink the
// node it leaves, or the stub keeps every node ever pushed reachable, a
// chain that grows with each message.
func TestMailboxQueueForgetsPopped(t *testing.T) {
	var q mpscQueue
	q.init()
	q.push("a")
	q.push("b")
	if q.pop() != "a" {
		t.Fatal("the queue lost its order")
	}
	if q.stub.next != nil {
		t.Fatal("the stub still links the popped nodes")
	}
	if q.pop() != "b" || q.pop() != nil {
		t.Fatal("the queue lost its order")
	}
}
