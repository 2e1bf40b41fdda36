package actors

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// mailbox is a connection actor's mailbox: protoactor's lock-free one
// (actor.UnboundedLockfree: a system and a user queue, system messages
// first, suspended while its supervisor decides on a failure, a panic
// escalated to the supervisor), with one more way in, the reader's
// (deliver). A read's input to an idle, empty mailbox is handled at once, on
// the reader's goroutine, as the connection's dispatcher would have it
// handled anyway (netpoll.Dispatcher), and by the connection actor's onData
// directly (link.onInput): without the root context's Send, the process
// lookup, a queue node, a scheduled run and protoactor's invocation of
// Receive (docs/benchmarks.md has what each cost). Everyone else posts as to
// protoactor's mailbox, and its runs go to the connection's dispatcher.
//
// It lives inside its link, and its queues inside it: an idle connection
// holds no object for its mailbox. Its one middleware is the link's outbox.
type mailbox struct {
	user, system mpscQueue
	status       atomic.Int32 // mailboxIdle or mailboxRunning: who set it running runs it
	userN, sysN  atomic.Int32 // messages queued
	suspended    atomic.Bool  // by the failure's SuspendMailbox until its ResumeMailbox

	invoker    actor.MessageInvoker
	dispatcher actor.Dispatcher
	link       *link
}

var _ actor.Mailbox = (*mailbox)(nil)

const (
	mailboxIdle int32 = iota
	mailboxRunning
)

// init readies the mailbox of l, before its actor is spawned.
func (m *mailbox) init(l *link) {
	m.link = l
	m.user.init()
	m.system.init()
}

// PostUserMessage implements actor.Mailbox.
func (m *mailbox) PostUserMessage(msg any) {
	if batch, ok := actor.UnwrapEnvelopeMessage(msg).(actor.MessageBatch); ok {
		for _, b := range batch.GetMessages() { // as protoactor's: each, then the batch
			m.PostUserMessage(b)
		}
	}
	m.link.outbox.MessagePosted(msg)
	m.user.push(msg)
	m.userN.Add(1)
	m.schedule()
}

// PostSystemMessage implements actor.Mailbox.
func (m *mailbox) PostSystemMessage(msg any) {
	m.link.outbox.MessagePosted(msg)
	m.system.push(msg)
	m.sysN.Add(1)
	m.schedule()
}

// deliver is the reader's post of its DataReceived (link.msg), inside a
// delivery (netpoll.Handler.Data), on the connection's own goroutine: an
// idle mailbox with nothing queued and not suspended has the actor handle it
// at once, here; one with messages queued handles them and it after them,
// here; one running elsewhere gets it queued, as anyone's message. The
// outbox counts nothing for a DataReceived (sizeOf), so the first way skips
// it.
func (m *mailbox) deliver() {
	msg := &m.link.msg
	if !m.status.CompareAndSwap(mailboxIdle, mailboxRunning) {
		m.user.push(msg)
		m.userN.Add(1)
		m.schedule() // it may have gone idle meanwhile
		return
	}
	// Running, and ours: the counts and suspended change only by a run now.
	if m.sysN.Load() != 0 || m.userN.Load() != 0 || m.suspended.Load() {
		m.user.push(msg)
		m.userN.Add(1)
		m.process(false)
		return
	}
	m.process(true)
}

// RegisterHandlers implements actor.Mailbox.
func (m *mailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	m.invoker, m.dispatcher = invoker, dispatcher
}

// Start implements actor.Mailbox.
func (m *mailbox) Start() { m.link.outbox.MailboxStarted() }

// UserMessageCount implements actor.Mailbox.
func (m *mailbox) UserMessageCount() int { return int(m.userN.Load()) }

// schedule has the dispatcher run the mailbox, unless it runs already.
func (m *mailbox) schedule() {
	if m.status.CompareAndSwap(mailboxIdle, mailboxRunning) {
		m.dispatcher.Schedule(m.processMessages)
	}
}

func (m *mailbox) processMessages() { m.process(false) }

// process runs the mailbox, the reader's input first if input, until
// nothing is left to run, then sets it idle.
func (m *mailbox) process(input bool) {
	for {
		m.run(input)
		input = false
		m.status.Store(mailboxIdle)
		sys, user := m.sysN.Load(), m.userN.Load()
		// Messages posted after the run ended, which found it running.
		if (sys > 0 || (user > 0 && !m.suspended.Load())) &&
			m.status.CompareAndSwap(mailboxIdle, mailboxRunning) {
			continue
		}
		if user == 0 && !m.suspended.Load() {
			m.link.outbox.MailboxEmpty()
		}
		return
	}
}

// run handles the reader's input if input, then system messages before user
// ones until both queues are empty or the mailbox is suspended; a panic is
// escalated to the supervisor (which suspends the mailbox) and ends the run.
func (m *mailbox) run(input bool) {
	var msg any
	defer func() {
		if r := recover(); r != nil {
			m.invoker.EscalateFailure(r, msg)
		}
	}()
	if input {
		msg = &m.link.msg
		m.link.onInput()
	}
	i, t := 0, m.dispatcher.Throughput()
	for {
		if i > t {
			i = 0
			runtime.Gosched()
		}
		i++
		// The counts first, so that the reader's run, which almost always
		// finds both queues empty, touches neither. A message is counted
		// after it is pushed, but with two senders at once it may be counted
		// before it is linked in: pop finds nothing then, and process runs
		// again.
		if m.sysN.Load() > 0 {
			if msg = m.system.pop(); msg == nil {
				return
			}
			m.sysN.Add(-1)
			switch msg.(type) {
			case *actor.SuspendMailbox:
				m.suspended.Store(true)
			case *actor.ResumeMailbox:
				m.suspended.Store(false)
			default:
				m.invoker.InvokeSystemMessage(msg)
			}
			m.link.outbox.MessageReceived(msg)
			continue
		}
		if m.suspended.Load() || m.userN.Load() == 0 {
			return
		}
		if msg = m.user.pop(); msg == nil {
			return
		}
		m.userN.Add(-1)
		if r, ok := msg.(*messages.ServiceReply); !ok || !m.link.onReply(r) {
			m.invoker.InvokeUserMessage(msg)
		}
		m.link.outbox.MessageReceived(msg)
	}
}

// mpscQueue is protoactor's multi-producer, single-consumer queue
// (internal/queue/mpsc, after Dmitry Vyukov's node-based queue), with its
// stub node inside it: push is safe from any goroutine, pop only from the
// mailbox's run.
//
// The node pop leaves goes back to nodes, for the next push: a node a
// message was 3% of what resp's server allocated per command under
// redis-benchmark (a service's reply to a connection). A node popped is no
// producer's any more (the one producer that had it as its predecessor has
// linked it, which is how pop found it), so reusing it is safe. A pool
// shared by every queue, not a spare node kept by each: a link's size class
// has no 8 bytes left (TestLinkSizeClass), and an idle connection holds none.
type mpscQueue struct {
	head, tail *mpscNode
	stub       mpscNode
}

// nodes recycles the queues' nodes.
var nodes = sync.Pool{New: func() any { return new(mpscNode) }}

type mpscNode struct {
	next *mpscNode
	val  any
}

func (q *mpscQueue) init() { q.head, q.tail = &q.stub, &q.stub }

func (q *mpscQueue) push(x any) {
	n := nodes.Get().(*mpscNode)
	n.val = x
	prev := (*mpscNode)(atomic.SwapPointer((*unsafe.Pointer)(unsafe.Pointer(&q.head)), unsafe.Pointer(n)))
	atomic.StorePointer((*unsafe.Pointer)(unsafe.Pointer(&prev.next)), unsafe.Pointer(n))
}

// pop also unlinks the node it leaves: the stub, which lives as long as the
// queue, must not keep every node ever pushed reachable. That node goes
// back to nodes (unless it is the stub).
func (q *mpscQueue) pop() any {
	tail := q.tail
	next := (*mpscNode)(atomic.LoadPointer((*unsafe.Pointer)(unsafe.Pointer(&tail.next))))
	if next == nil {
		return nil
	}
	q.tail = next
	atomic.StorePointer((*unsafe.Pointer)(unsafe.Pointer(&tail.next)), nil) // no producer writes it again: it wrote next
	v := next.val
	next.val = nil
	if tail != &q.stub {
		nodes.Put(tail)
	}
	return v
}
