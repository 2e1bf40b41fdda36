package actors

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/messages"
	"async_server/supervision"
)

// connActor is a connection actor: it runs one behavior over one connection. Its
// parent, its listener's connection supervisor (conns.go), supervises it. A restart replaces the connActor (and with
// it the behavior's state) by a fresh one from the producer; the link, and so the
// socket and its reader, stay.
type connActor struct {
	link  *link
	proto protocol.Protocol
	// hardClose: this incarnation failed with a broken connection, so if it is
	// stopped now there is nothing to flush: close at once. So does a
	// connection one of whose writes timed out (link.writeTimedOut): its peer
	// takes no data, and a graceful close would only hold the socket for it
	// (the drain's 500 ms; over TLS a close_notify under crypto/tls's 5 s
	// deadline and the write timeout again). Other failures close gracefully
	// (FIN, then a short drain) so that the error reply the behavior wrote
	// (HTTP 413, 408, ...) is not destroyed by a reset.
	hardClose bool
}

// connProps returns the props of the connection actor for l: a producer that makes
// a fresh incarnation each time, and the link's own dispatcher, which runs the
// mailbox only on this connection's goroutines (netpoll.Dispatcher): on the reader when
// the reader's message woke it, so a round trip costs no goroutine hand-off, and
// on a runner goroutine when anyone else's did (a spawn, a restart, a poison
// pill, a service), so behavior code never runs on another actor's goroutine.
//
// The mailbox (mailbox.go) is protoactor's lock-free one (a node per queued
// message; protoactor's default allocates a ring of ten slots up front, 0.2
// KiB more per idle connection), with a way in for the reader that runs an
// idle actor at once, with nothing queued or scheduled.
//
// The producer makes no behavior: protoactor runs it inside SpawnNamed, on
// the connection supervisor's goroutine, where a behavior's constructor must
// not run (confinement), nor panic (it would fail the supervisor, and with it
// every connection of the listener). Each incarnation makes its behavior at
// its Started (onStarted).
func connProps(l *link) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &connActor{link: l}
	}, actor.WithDispatcher(l.sock.Dispatcher()), actor.WithMailbox(func() actor.Mailbox {
		l.box.init(l)
		return &l.box
	}))
}

// Receive dispatches.
func (a *connActor) Receive(ctx actor.Context) {
	a.link.ctx = ctx
	msg := ctx.Message()
	a.link.outbox.taken(msg) // first: the message may fail the actor
	switch m := msg.(type) {
	case *actor.Started:
		a.link.actor = a
		a.onStarted(ctx)
	case *messages.DataReceived:
		a.onData(ctx, m)
	case *messages.ConnectionReady:
		a.link.ready = true
		a.link.env.idle.relist(a.link) // if left out for the handshake's unread bytes (idleList.oldest)
		a.start(ctx)
	case *messages.Finish:
		a.link.finishing = true
		a.maybeFinish(ctx)
	case *messages.ReadFailed:
		a.onReadFailed(ctx, m)
	case *actor.Stopping:
		a.link.stopOverdue()
		a.link.shut(!a.hardClose && !a.link.writeTimedOut)
	case *messages.Inject:
		a.onInject(m)
	case *repliesOverdue:
		a.onRepliesOverdue(ctx)
	case *actor.Restarting:
		a.link.restarted()
	case *actor.Stopped:
		a.ended()
		a.release()
	case *budgetResumed:
		a.link.resumed()
	default:
		a.onMessage(ctx, m)
	}
}

// onMessage hands a message from another actor (a service's reply or news, an
// actor the behavior watches that stopped) to a message-driven behavior.
func (a *connActor) onMessage(ctx actor.Context, m any) {
	switch m := m.(type) {
	case *messages.ServiceReply:
		a.link.replied(m.ID)
	case *actor.Terminated:
		a.link.writeOff(m.Who)
	}
	h, ok := a.proto.(protocol.MessageHandler)
	if !ok {
		a.link.ackIfOwed()
		if a.link.env.log.Logger.IsLevelEnabled(logrus.DebugLevel) {
			a.link.Log().WithField("type", fmt.Sprintf("%T", m)).Debug("message ignored: the behavior takes none")
		}
		a.maybeFinish(ctx)
		return
	}
	if err := a.call(func() error { return h.HandleMessage(m) }); err != nil {
		a.failed(ctx, err)
	}
	a.link.ackIfOwed() // what it handled may let the peer's input in again
	a.stopIfClosing(ctx)
	a.maybeFinish(ctx)
}

// onStarted makes the incarnation's behavior, on this connection's goroutine
// (a panic in its constructor fails this connection, as one in Received
// does), and starts the reader on first start.
//
// After a restart it first hands the fresh behavior what the failed one gave
// back unconsumed (Conn.Unread), so the peer loses only the request that
// failed, then acks if the message that failed was input (it was not acked),
// so that the reader's next message finds the new incarnation ready and idle
// rather than queued behind the restart. Only then: an ack tells the reader
// its buffer is free, so an ack nobody owed would let it reuse one a queued
// DataReceived still carries. A behavior that implements protocol.Starter is
// started each time, before any input.
//
// What the failed behavior asked of the connection was forgotten at
// Restarting, in the old instance (link.restarted): a reset here would erase
// what the fresh behavior's constructor set (a read deadline, idle).
func (a *connActor) onStarted(ctx actor.Context) {
	if a.link.readerStarted {
		a.makeBehavior()
		a.onRestarted(ctx)
		return
	}
	a.link.readerStarted = true
	a.link.observeOpened()
	a.link.debug("connection opened")
	// The reader starts on this goroutine once this run is over
	// (netpoll.Dispatcher); counted now, while the actor is certainly alive,
	// and before the behavior is made, which may fail this run.
	a.link.env.readers.Add(1)
	a.link.reading.Store(true)
	a.link.SetIdle(true) // until the peer speaks (onData); the behavior's constructor may say otherwise
	a.makeBehavior()
	if _, secure := a.link.sock.NetConn().(*tls.Conn); !secure {
		a.link.ready = true
		a.start(ctx) // over TLS, at ConnectionReady: after the reader's handshake
	}
}

// onRestarted is the rest of a restarted incarnation's Started.
func (a *connActor) onRestarted(ctx actor.Context) {
	if a.link.ready && !a.start(ctx) { // not ready: ConnectionReady starts it
		return
	}
	if rest := a.link.takeUnread(); len(rest) > 0 && !a.link.finishing {
		a.receive(ctx, rest)
	}
	if a.link.handling {
		a.link.handling = false
		a.link.ackInput()
	}
	a.link.ackIfOwed() // held back for the failed behavior (protocol.InputGate): the fresh one decides
	a.maybeFinish(ctx) // a restart while finishing: nothing may be owed any more
}

// makeBehavior makes this incarnation's behavior with the listener's Factory.
// A constructor that panics fails the actor with Internal: its supervisor
// restarts it (a fresh try) or stops it, closing the socket.
func (a *connActor) makeBehavior() {
	err := a.call(func() error {
		a.proto = a.link.env.factory(a.link)
		a.link.gate, _ = a.proto.(protocol.InputGate)
		return nil
	})
	if err != nil {
		a.fail(err)
	}
}

// release drops what the connection's actor holds once it has stopped: its
// behavior (and with it a request's buffered body, say), the input a failed
// behavior handed back, the last context. protoactor may keep pointing at a
// stopped actor, and so at its link: a connection supervisor's set of children
// (actor.PIDSet.Remove) shortens its slice without clearing the slot it
// emptied, so the PIDs of children gone stay reachable, each with its process,
// its actor and this link, until the slot is reused.
func (a *connActor) release() {
	a.link.actor = nil
	a.proto = nil
	a.link.gate = nil
	a.link.unread = nil
	a.link.ctx = nil
	if b := a.link.env.budget; b != nil {
		b.leave(a.link)
	}
}

// ended tells a behavior that implements protocol.Ender that its connection
// has ended. A panic in it is logged (call) and goes no further: the actor
// is stopping, and a panic at Stopped would orphan it.
func (a *connActor) ended() {
	if e, ok := a.proto.(protocol.Ender); ok {
		_ = a.call(func() error { e.Ended(); return nil })
	}
}

// start lets a behavior that implements protocol.Starter act before any input
// arrives. It reports whether the connection goes on (the behavior did not ask
// to close); a failure fails the actor.
func (a *connActor) start(ctx actor.Context) bool {
	s, ok := a.proto.(protocol.Starter)
	if !ok {
		return true
	}
	if err := a.call(s.Started); err != nil {
		a.failed(ctx, err)
	}
	return !a.stopIfClosing(ctx)
}

// onInput handles the reader's DataReceived when the mailbox runs it at once
// (mailbox.deliver), as Receive would: the mailbox is running on the
// connection's goroutine, the incarnation is alive (actor is set from its
// Started to its Stopped), and the context is the one protoactor keeps for
// the actor's life, whatever the incarnation. The outbox counts nothing for
// the reader's input, and nothing in onData asks the context for the
// message, so protoactor's invocation (the context's checks, its receiver
// chain, Receive's switch) is skipped.
func (l *link) onInput() {
	if a := l.actor; a != nil {
		a.onData(l.ctx, &l.msg)
	}
}

// onReply handles a service's reply that the mailbox's run takes
// (mailbox.run), as Receive would, and reports whether it did: protoactor's
// invocation (its checks, its context's current message, Receive's switch)
// is skipped, as for onInput. The incarnation is alive (actor is set from
// its Started to its Stopped; otherwise protoactor's invocation drops or
// handles it), a connection actor has no receive timeout and no receiver
// middleware, and nothing that handles a reply asks the context for the
// message. A panic goes up to the run, which escalates it with the reply, as
// one in Receive. At redis-benchmark -P 1 every command's reply comes this
// way: protoactor's invocation and Receive were 1.3% of the server's CPU.
func (l *link) onReply(r *messages.ServiceReply) bool {
	a := l.actor
	if a == nil {
		return false
	}
	l.outbox.taken(r) // first, as in Receive: the reply may fail the actor
	a.onMessage(l.ctx, r)
	return true
}

// onData hands the reader's input to the behavior and acks it. The first
// input ends the connection's silence: from its start until then it is idle
// (onStarted), so at the connection limit a client that never spoke is closed
// first to admit a waiting one; from then on only the behavior says
// (Conn.SetIdle).
func (a *connActor) onData(ctx actor.Context, m *messages.DataReceived) {
	if a.link.finishing {
		return // after the pill: not "already received"; the reader waits for shut
	}
	if !a.link.spoke { // its first input: from now on only the behavior says it is idle
		a.link.spoke = true
		a.link.SetIdle(false)
	}
	a.link.handling = true // until acked: if the behavior fails, the restart acks
	a.receive(ctx, m.Data)
	a.link.handling = false
	a.link.ackInput()
}

// stop stops the connection actor. It names the actor by the link's PID, not
// ctx.Self(): the link's is the one the reader sends to, so protoactor has
// already found the actor behind it, while ctx.Self() is another PID object
// whose first use looks the actor up in the registry again (a hash and a
// locked map read per connection).
func (a *connActor) stop(ctx actor.Context) {
	ctx.Stop(a.link.self)
}

// stopIfClosing stops the connection if its behavior asked to close
// (Conn.Close), and reports whether it did.
func (a *connActor) stopIfClosing(ctx actor.Context) bool {
	if !a.link.closeRequested {
		return false
	}
	a.link.setEnd(endBehavior)
	a.stop(ctx)
	return true
}

// maybeFinish stops a connection told to Finish once no reply is owed to it.
func (a *connActor) maybeFinish(ctx actor.Context) {
	if a.link.finishing && len(a.link.inFlight) == 0 {
		a.link.setEnd(endShutdown)
		a.stop(ctx)
	}
}

// receive hands data to the behavior. A failure fails the actor; a behavior that
// asked to close stops it.
func (a *connActor) receive(ctx actor.Context, data []byte) {
	if err := a.call(func() error { return a.proto.Received(data) }); err != nil {
		a.failed(ctx, err)
	}
	a.link.unread = a.link.unread[:0] // handed back without a failure: nothing to keep
	a.stopIfClosing(ctx)
}

// onReadFailed ends the connection: in order after the peer's EOF, or as a
// failure the supervisor decides on.
//
// After the EOF everything the peer sent has been handled, but not always
// answered: a behavior that asked a service (chat asks its rooms service)
// still owes the replies, and a peer that half-closed its side (nc -N,
// shutdown(SHUT_WR)) still reads them. So the connection finishes as it does
// at shutdown: it stops once no reply is owed, or after replyWait; unless its
// behavior, a protocol.PeerClosedHandler, has it stop at once.
func (a *connActor) onReadFailed(ctx actor.Context, m *messages.ReadFailed) {
	switch err := m.Err; {
	case errors.Is(err, io.EOF):
		a.link.debug("connection closed by peer")
		a.link.setEnd(endPeerClosed)
		if h, ok := a.proto.(protocol.PeerClosedHandler); ok && h.PeerClosed() {
			a.stop(ctx)
			return
		}
		a.link.finishing = true
		if len(a.link.inFlight) > 0 {
			a.link.awaitReplies()
		}
		a.maybeFinish(ctx)
	case errors.Is(err, net.ErrClosed):
		// We closed it; the actor is stopping already.
	case errors.As(err, new(tls.RecordHeaderError)):
		// Not TLS at all (plain HTTP to an https port, say): bad input whose
		// framing cannot be found.
		e := supervision.New(supervision.BadRequest, "read", err)
		e.FramingLost = true
		a.fail(e)
	case errors.Is(err, os.ErrDeadlineExceeded):
		a.timedOut()
		a.fail(supervision.New(supervision.Timeout, "read", err))
	default:
		a.fail(supervision.New(supervision.ConnectionFailed, "read", err))
	}
}

// onRepliesOverdue stops a connection whose peer has closed its side once
// replyWait has passed with replies still owed (a service that restarted may
// never answer a request it had).
func (a *connActor) onRepliesOverdue(ctx actor.Context) {
	if len(a.link.inFlight) > 0 {
		if e := a.link.env.failures.entry(a.link.Log(), logrus.InfoLevel); e != nil {
			e.WithField("owed", len(a.link.inFlight)).Info("replies still owed after the peer closed; closing")
		}
	}
	a.stop(ctx)
}

// onInject acts out a fault injected through Server.Inject: a stall (cut short
// if the connection is shut meanwhile) or a failure of its category. A
// failure hands the behavior's held input (protocol.Holder) to its successor:
// the fault interrupted no request, so a restart must lose no input.
func (a *connActor) onInject(m *messages.Inject) {
	err := injected(m, a.link.isShut)
	if err == nil {
		return
	}
	if h, ok := a.proto.(protocol.Holder); ok {
		a.link.Unread(h.Held())
	}
	if err.Category == supervision.Timeout { // as a real one: the behavior may say goodbye first
		a.timedOut()
	}
	a.fail(err)
}

// timedOut lets the behavior say goodbye before its connection ends at a
// Timeout, real or injected.
func (a *connActor) timedOut() {
	_ = a.call(func() error { a.proto.TimedOut(); return nil })
}

// call runs behavior code, turning a panic into an Internal error (and logging
// its stack, which the supervisor's log line does not carry, within the
// listener's log budget).
func (a *connActor) call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e := a.link.env.failures.entry(a.link.Log(), logrus.ErrorLevel); e != nil {
				e.WithField("panic", fmt.Sprint(r)).WithField("stack", string(debug.Stack())).Error("behavior panicked")
			}
			err = supervision.New(supervision.Internal, "behavior", fmt.Errorf("panic: %v", r))
		}
	}()
	return f()
}

// failed is what a behavior's error does: it fails the actor (fail), unless
// the connection was closed already, by the server (a forced shutdown, an
// output limit) or by the peer (its EOF came, and a reply owed after it found
// the socket reset): a write that then fails is no news, and no decision is
// owed. The actor just stops, and the connection ends for the reason
// recorded when it was closed.
func (a *connActor) failed(ctx actor.Context, err error) {
	var se *supervision.Error
	closed := a.link.isShut() || a.link.sock.PeerDone()
	if closed && errors.As(err, &se) && se.Category == supervision.ConnectionFailed {
		a.link.debug("write after the connection was closed")
		a.stop(ctx)
		return
	}
	a.fail(err)
}

// fail hands err to the supervisor: the actor fails (panics) with it and the
// connection supervisor's strategy restarts or stops it by its category.
func (a *connActor) fail(err error) {
	var se *supervision.Error
	if !errors.As(err, &se) {
		se = supervision.New(supervision.Internal, "behavior", err)
		err = se
	}
	a.hardClose = se.Category == supervision.ConnectionFailed
	panic(err)
}
