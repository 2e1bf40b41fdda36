package actors

import (
	"runtime"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/internal/netpoll"
	"async_server/messages"
)

// senderMailbox is the mailbox of a service that runs on its senders
// (protocol.Service.OnSender; the resp key space and broker): a run starts
// on the goroutine whose message found the mailbox idle, so a connection's
// request is served on the connection's own goroutine, and the reply lands
// in the connection's mailbox, which that goroutine is running: a round trip
// to the service costs no goroutine hand-off at all (with runners on both
// sides, redis-benchmark -P 1 paid two per command). Behavior code still
// runs only on its connection's goroutines (Confinement): a service is not
// behavior code, and what it sends to another connection goes through that
// connection's own dispatcher.
//
// Two bounds keep a sender from being held by the service: a run on a
// sender handles at most onSenderRun messages and hands the rest of the
// run to a runner (netpoll.Go), so a connection that woke a busy service
// serves a handful of others' requests, not all of them while its own reply
// waits; and an injected fault (messages.Inject, whose stall lasts up to
// MaxStall) always runs on a runner, so Server.Inject does not wait for it.
//
// It keeps protoactor's mailbox contract (defaultMailbox): system messages
// first, user messages held while suspended (a failure, until the
// supervisor's directive resumes it), a panic escalated with the message
// that caused it, runs that yield the processor every dispatchThroughput
// messages. Raw MessageBatch values are not unpacked: nothing sends them.
type senderMailbox struct {
	mu        sync.Mutex
	sys, user fifo
	running   bool // a run is on (on a sender or a runner): a post only queues
	suspended bool // between SuspendMailbox and ResumeMailbox: user messages wait
	invoker   actor.MessageInvoker
	onRunner  func() // m.runOnRunner, made once
}

// onSenderRun is how many messages a run on a sender's goroutine handles
// before it hands the rest to a runner. At redis-benchmark -P 1 the key
// space finds one request waiting when it wakes; 16 lets a few that came
// meanwhile (other cores) ride along without a hand-off.
const onSenderRun = 16

// newSenderMailbox is a service's actor.MailboxProducer.
func newSenderMailbox() actor.Mailbox {
	m := &senderMailbox{}
	m.onRunner = m.runOnRunner
	return m
}

var _ actor.Mailbox = (*senderMailbox)(nil)

// PostUserMessage implements actor.Mailbox.
func (m *senderMailbox) PostUserMessage(msg any) { m.post(&m.user, msg) }

// PostSystemMessage implements actor.Mailbox.
func (m *senderMailbox) PostSystemMessage(msg any) { m.post(&m.sys, msg) }

// RegisterHandlers implements actor.Mailbox. The dispatcher is not used: the
// mailbox decides where it runs.
func (m *senderMailbox) RegisterHandlers(invoker actor.MessageInvoker, _ actor.Dispatcher) {
	m.invoker = invoker
}

// Start implements actor.Mailbox.
func (m *senderMailbox) Start() {}

// UserMessageCount implements actor.Mailbox.
func (m *senderMailbox) UserMessageCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.user.len()
}

// post queues msg and, if the mailbox was idle, runs it here when an actor
// sent it (fromActor), else on a runner. An actor's message to an idle,
// empty mailbox is handled at once, without going through the queue (one
// lock, not two, before it runs).
func (m *senderMailbox) post(q *fifo, msg any) {
	m.mu.Lock()
	if !m.running && q == &m.user && !m.suspended && m.sys.len() == 0 && m.user.len() == 0 && fromActor(msg) {
		m.running = true
		m.mu.Unlock()
		m.invoke(msg, false)
		m.runOnSender(1)
		return
	}
	q.push(msg)
	if m.running {
		m.mu.Unlock()
		return
	}
	m.running = true
	m.mu.Unlock()
	if q == &m.user && fromActor(msg) {
		m.runOnSender(0)
		return
	}
	netpoll.Go(m.onRunner)
}

// fromActor reports whether msg is one a run may start on the goroutine
// that posted it: an actor's request (a connection's Conn.Send and
// Conn.Request are, with the connection as Sender), and not an injected
// fault. Everything else starts a runner: system messages (the supervisor's
// Stop and ResumeMailbox), root's PoisonPill at shutdown, a timer's tick,
// what remote's endpoint reader delivers from another node, so that none
// of those goroutines is held by the service's queue (DEBUG SLEEP among it).
func fromActor(msg any) bool {
	env, ok := msg.(*actor.MessageEnvelope)
	return ok && env.Sender != nil && !isInject(msg)
}

// runOnSender handles up to onSenderRun messages on the sender's goroutine,
// done of them handled already, and hands what is left to a runner.
func (m *senderMailbox) runOnSender(done int) {
	for n := done; n < onSenderRun; n++ {
		msg, sys, ok := m.next(true)
		if !ok {
			return
		}
		m.invoke(msg, sys)
	}
	if m.idleIfEmpty() {
		return
	}
	netpoll.Go(m.onRunner)
}

// runOnRunner handles every message until the mailbox is empty, yielding
// the processor every dispatchThroughput messages, as protoactor's runs do.
func (m *senderMailbox) runOnRunner() {
	for n := 1; ; n++ {
		msg, sys, ok := m.next(false)
		if !ok {
			return
		}
		m.invoke(msg, sys)
		if n%dispatchThroughput == 0 {
			runtime.Gosched()
		}
	}
}

// dispatchThroughput is how many messages a run on a runner handles between
// yields of the processor: protoactor's default throughput.
const dispatchThroughput = 300

// next takes the next message to handle: a system message first, then a
// user message unless suspended. With none, the run ends (running false).
// onSender leaves an injected fault in the queue and reports none, after
// handing the run to a runner.
func (m *senderMailbox) next(onSender bool) (msg any, sys, ok bool) {
	m.mu.Lock()
	switch {
	case m.sys.len() > 0:
		msg, sys = m.sys.pop(), true
	case !m.suspended && m.user.len() > 0:
		if onSender && isInject(m.user.peek()) {
			m.mu.Unlock()
			netpoll.Go(m.onRunner)
			return nil, false, false
		}
		msg = m.user.pop()
	default:
		m.running = false
		m.mu.Unlock()
		return nil, false, false
	}
	m.mu.Unlock()
	return msg, sys, true
}

// idleIfEmpty ends the run if nothing is left to handle, and says whether
// it did.
func (m *senderMailbox) idleIfEmpty() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sys.len() > 0 || !m.suspended && m.user.len() > 0 {
		return false
	}
	m.running = false
	return true
}

// invoke handles one message. A panic is escalated as protoactor's mailbox
// does (the actor suspends its mailbox and tells its supervisor), and the
// run goes on with the system messages that follow.
func (m *senderMailbox) invoke(msg any, sys bool) {
	defer func() {
		if r := recover(); r != nil {
			m.invoker.EscalateFailure(r, msg)
		}
	}()
	if !sys {
		m.invoker.InvokeUserMessage(msg)
		return
	}
	switch msg.(type) {
	case *actor.SuspendMailbox:
		m.setSuspended(true)
	case *actor.ResumeMailbox:
		m.setSuspended(false)
	default:
		m.invoker.InvokeSystemMessage(msg)
	}
}

func (m *senderMailbox) setSuspended(s bool) {
	m.mu.Lock()
	m.suspended = s
	m.mu.Unlock()
}

// isInject reports whether msg is an injected fault (Server.Inject sends it
// in an envelope).
func isInject(msg any) bool {
	if env, ok := msg.(*actor.MessageEnvelope); ok {
		msg = env.Message
	}
	_, ok := msg.(*messages.Inject)
	return ok
}

// fifo is a mailbox queue: a slice with a moving head, whose array is reused
// once it empties (a steady flow allocates nothing) and dropped if a burst
// made it large.
type fifo struct {
	buf  []any
	head int
}

// fifoKeep is the largest array a fifo keeps once empty.
const fifoKeep = 1024

func (q *fifo) len() int { return len(q.buf) - q.head }

func (q *fifo) peek() any { return q.buf[q.head] }

func (q *fifo) push(v any) {
	if q.head > 0 && len(q.buf) == cap(q.buf) { // full, with room at the front
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, v)
}

func (q *fifo) pop() any {
	v := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head == len(q.buf) {
		q.head = 0
		q.buf = q.buf[:0]
		if cap(q.buf) > fifoKeep {
			q.buf = nil
		}
	}
	return v
}
