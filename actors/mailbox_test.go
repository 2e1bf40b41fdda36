package actors

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// fakeInvoker records what a mailbox hands it.
type fakeInvoker struct {
	user, sys []any
	escalated []any
}

func (f *fakeInvoker) InvokeSystemMessage(m any)     { f.sys = append(f.sys, m) }
func (f *fakeInvoker) InvokeUserMessage(m any)       { f.user = append(f.user, m) }
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

// countingProto counts the input its connection hands it.
type countingProto struct{ reads int }

func (p *countingProto) Received([]byte) error { p.reads++; return nil }
func (p *countingProto) TimedOut()             {}

// newTestMailbox is the mailbox of a link whose actor has started with a
// countingProto, wired to a fake invoker and dispatcher.
func newTestMailbox() (*mailbox, *fakeInvoker, *queueDispatcher, *countingProto) {
	l := &link{env: &connEnv{}}
	l.box.init(l)
	proto := &countingProto{}
	l.actor = &connActor{link: l, proto: proto}
	inv, disp := &fakeInvoker{}, &queueDispatcher{}
	l.box.RegisterHandlers(inv, disp)
	return &l.box, inv, disp, proto
}

// The reader's input to an idle, empty mailbox is handled at once, on the
// reader's goroutine, by the actor's onData: nothing invoked through
// protoactor, nothing scheduled, nothing allocated.
func TestMailboxDeliverRunsInline(t *testing.T) {
	m, inv, disp, proto := newTestMailbox()
	m.deliver()
	if proto.reads != 1 || len(inv.user) != 0 || len(disp.runs) != 0 {
		t.Fatalf("behavior read %d times, invoked %v, scheduled %d runs; want 1 inline read, nothing else",
			proto.reads, inv.user, len(disp.runs))
	}
	if n := testing.AllocsPerRun(100, m.deliver); n != 0 {
		t.Errorf("deliver allocated %v times per message; want 0", n)
	}
	m.link.actor = nil // stopped
	m.deliver()
	if proto.reads != 102 {
		t.Errorf("behavior read %d times; want 102 (none after the actor stopped)", proto.reads)
	}
}

// Messages queued before the reader's run first, in order; a message posted
// while the mailbox runs elsewhere is queued for that run.
func TestMailboxDeliverKeepsOrder(t *testing.T) {
	m, inv, disp, proto := newTestMailbox()
	m.PostUserMessage("a") // scheduled, not run yet: the mailbox is running
	m.deliver()            // finds it running: queued behind a
	if len(inv.user) != 0 || proto.reads != 0 {
		t.Fatalf("handled %v before the scheduled run", inv.user)
	}
	disp.runAll()
	if got := inv.user; len(got) != 2 || got[0] != "a" || got[1] != &m.link.msg {
		t.Fatalf("handled %v; want [a, the DataReceived]", got)
	}
}

// panicProto fails its connection with an error, as a behavior's bug does
// once call has recovered it.
type panicProto struct{}

func (panicProto) Received([]byte) error { return errors.New("boom") }
func (panicProto) TimedOut()             {}

// A failure in the reader's inline run is escalated with its message, and a
// suspended mailbox queues the reader's next message until it is resumed.
func TestMailboxDeliverSuspended(t *testing.T) {
	m, inv, disp, proto := newTestMailbox()
	m.link.actor.proto = panicProto{}
	m.deliver()
	if len(inv.escalated) != 1 || inv.escalated[0] != &m.link.msg {
		t.Fatalf("escalated %v; want the DataReceived", inv.escalated)
	}
	m.PostSystemMessage(&actor.SuspendMailbox{}) // as actorContext.EscalateFailure does, on the run
	disp.runAll()
	m.link.actor.proto = proto
	m.deliver()
	if len(inv.user) != 0 || proto.reads != 0 || m.UserMessageCount() != 1 {
		t.Fatalf("handled %v, read %d while suspended (%d queued)", inv.user, proto.reads, m.UserMessageCount())
	}
	m.PostSystemMessage(&actor.ResumeMailbox{})
	disp.runAll()
	if len(inv.user) != 1 || inv.user[0] != &m.link.msg || m.UserMessageCount() != 0 {
		t.Fatalf("handled %v after the resume; want the DataReceived", inv.user)
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

// A queue that holds one message at a time reuses the node pop left: no
// allocation per message (not under -race, where sync.Pool drops some on
// purpose).
func TestMailboxQueueReusesNodes(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops nodes on purpose under -race")
	}
	var q mpscQueue
	q.init()
	msg := any(&actor.Started{})
	for range 3 { // past the stub
		q.push(msg)
		q.pop()
	}
	allocs := testing.AllocsPerRun(100, func() {
		q.push(msg)
		if q.pop() != msg {
			t.Fatal("the queue lost its message")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message; want 0", allocs)
	}
}

// Producers pushing from several goroutines while the consumer pops, nodes
// reused all along, between two queues sharing the pool as a mailbox's do:
// every message arrives once, each producer's in the order it pushed them
// (-race checks the reuse's ordering).
func TestMailboxQueueConcurrentReuse(t *testing.T) {
	const producers, each = 4, 20000
	var q, other mpscQueue
	q.init()
	other.init()
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range each {
				q.push([2]int{p, i})
				if i%64 == 0 { // the other queue shares the nodes, as a mailbox's system queue
					other.push(nil)
				}
			}
		})
	}
	next := make([]int, producers)
	for got := 0; got < producers*each; {
		other.pop()
		v := q.pop()
		if v == nil {
			runtime.Gosched()
			continue
		}
		m := v.([2]int)
		if m[1] != next[m[0]] {
			t.Fatalf("producer %d: message %d; want %d", m[0], m[1], next[m[0]])
		}
		next[m[0]]++
		got++
	}
	wg.Wait()
	if v := q.pop(); v != nil {
		t.Fatalf("left in the queue: %v", v)
	}
}

// countingInvoker counts the user messages it is handed; runs are one at a
// time, the count is read by the test while they may go on.
type countingInvoker struct{ user atomic.Int64 }

func (c *countingInvoker) InvokeSystemMessage(any)       {}
func (c *countingInvoker) InvokeUserMessage(any)         { c.user.Add(1) }
func (c *countingInvoker) EscalateFailure(reason, _ any) { panic(reason) }

// goDispatcher runs each run on a goroutine of its own, as protoactor's default does.
type goDispatcher struct{ wg sync.WaitGroup }

func (d *goDispatcher) Schedule(fn func()) { d.wg.Go(fn) }
func (d *goDispatcher) Throughput() int    { return 300 }

// Senders posting from several goroutines while the reader delivers: every
// message is handled exactly once, and no run overlaps another (-race).
func TestMailboxConcurrentPosts(t *testing.T) {
	l := &link{env: &connEnv{}}
	l.box.init(l)
	proto := &countingProto{}
	l.actor = &connActor{link: l, proto: proto}
	inv, disp := &countingInvoker{}, &goDispatcher{}
	l.box.RegisterHandlers(inv, disp)
	const senders, each, reads = 4, 2000, 2000
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for i := range each {
				l.box.PostUserMessage(i)
			}
		})
	}
	for range reads {
		l.box.deliver() // the next waits for nothing: the test's onData acks nothing
	}
	wg.Wait()
	disp.wg.Wait()
	// The reader's input queued behind a running mailbox is invoked through
	// the invoker; the rest reached the behavior directly.
	if got := inv.user.Load() + int64(proto.reads); got != senders*each+reads {
		t.Fatalf("handled %d messages; want %d", got, senders*each+reads)
	}
	if l.box.userN.Load() != 0 || l.box.status.Load() != mailboxIdle {
		t.Fatalf("left %d queued, status %d", l.box.userN.Load(), l.box.status.Load())
	}
}
