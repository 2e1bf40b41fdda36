package resp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/protocol"
	"async_server/messages"
	"async_server/supervision"
)

// session is one connection of the resp behavior: a message-driven
// connection behavior speaking Redis's protocol. It parses the commands of
// each read (parse.go), checks them against the table, runs the connection's
// own (PING, SELECT, HELLO, ...) itself and sends the rest to the key space
// or the broker, the commands of one read that go to one service in ONE
// request (a pipeline crosses in one message, not one per command), and
// writes the replies in the order the commands came (order.go).
type session struct {
	conn     protocol.Conn
	srv      *server
	keySpace *actor.PID
	broker   *actor.PID
	shards   *actor.PID // the shard router (cluster mode)

	p     parser
	proto int            // 2, or 3 after HELLO 3
	db    int            // SELECT
	ci    *clientInfo    // this connection's record (CLIENT, INFO): its ID, name, ...
	subs  *subscriptions // pub/sub channels and patterns (cmd_pubsub.go); nil: none yet

	queue     []*segment   // replies owed, in request order (order.go)
	queue1    [1]*segment  // queue's array while it holds at most one
	lastDepth int          // commands in the last segment sent (openRemote)
	watched   []*actor.PID // services sent to, watched (order.go's serviceGone)
	stopped   []*actor.PID // services that have stopped for good
	held      int          // what it last told the memory budget it holds (reportHeld)
	localFrom int          // where the local reply being written starts (order.go)
	out       Writer       // replies ready to write
	// wall and mono stamp the last read (Received): the wall clock in
	// Unix ns and monoNow at the same instant (wallNow), moved on
	// together to the end of each connection command (dispatch: the next
	// one's start). Each batch carries them (sendOpen), so the key space
	// reads only the monotonic clock (batch.wallAt).
	wall int64
	mono time.Duration

	multi    *multiState // MULTI: the transaction being queued; nil outside
	execNext *multiState // EXEC just ran: its transaction, to send (afterLocal)
	closing  error       // a protocol error: its reply is queued; close once all is written

	// The flags, side by side (one word, not one each: the session stays in
	// its 416-byte size class).
	authed          bool
	idle            bool // told the connection it is idle
	awaiting        bool // told the connection its peer waits for the server (awaitServer)
	keySpaceWatched bool // the key space is in watched (order.go's watch)
	keySpaceHeard   bool // the key space has answered a request by message since the last Send to it (runDirect)
	unwatchNext     bool // DISCARD just ran: unwatch (afterLocal)
	resetNext       bool // RESET just ran: unwatch, unsubscribe (afterLocal)
	replyOff        bool // CLIENT REPLY OFF
	skipNext        bool // CLIENT REPLY SKIP: the next command's reply is not written
	skipThis        bool // the command being dispatched is that one
	pushed          bool // the local reply being written is pub/sub's push: written whatever CLIENT REPLY says (order.go's local)
	quit            bool // QUIT: close once all is written
	bulkHeld        bool // p.maxBulk is what a CONFIG SET sent and not yet answered sets (dispatch)
	moreOwed        bool // the head segment's chunk is collected: ask for its rest once written (flush)
}

var (
	_ protocol.Protocol          = (*session)(nil)
	_ protocol.MessageHandler    = (*session)(nil)
	_ protocol.Starter           = (*session)(nil)
	_ protocol.Holder            = (*session)(nil)
	_ protocol.PeerClosedHandler = (*session)(nil)
	_ protocol.Ender             = (*session)(nil)
)

// newSession makes a connection's behavior.
func newSession(srv *server, c protocol.Conn) *session {
	ci, restarted := srv.clients.join(srv, c.ID(), c.RemoteAddr(), c.LocalAddr())
	s := &session{conn: c, srv: srv, proto: 2, ci: ci, quit: restarted, // see Started
		keySpace: c.Service(keySpaceName), broker: c.Service(brokerName), shards: c.Service(shardRouterName)}
	s.queue = s.queue1[:0]
	s.ci.proto.Store(2) // a fresh behavior starts as a fresh connection does
	s.ci.db.Store(0)
	s.ci.multi.Store(-1)
	s.countSubs()
	s.authed = srv.cfg.requirePass.Load() == nil || *srv.cfg.requirePass.Load() == ""
	s.p.maxBulk = srv.cfg.maxBulkLen.Load()
	s.p.strict = !s.authed
	s.out.Proto = 2
	return s
}

// Started tells the services to forget what a failed predecessor of this
// behavior, on the same connection, left with them (see clientReset), and
// then, after a restart, closes the connection. A restart (a bug in the
// session, or an injected fault) loses the connection's state: its database,
// protocol, name-independent modes, subscriptions, watches, transaction and
// blocked command. A client that went on would get replies out of step (a
// blocked command never answered) and act on state it no longer has (writes
// to database 0, a watch that fails open); closed, it reconnects, as Redis
// clients do after any connection error.
func (s *session) Started() error {
	s.conn.Send(s.keySpace, &clientReset{Conn: s.ci.conn})
	s.conn.Send(s.broker, &clientReset{Conn: s.ci.conn})
	switch {
	case s.ci.killed.Load(): // killed as its predecessor failed
		s.kill()
	case s.quit: // set at its making: a restart's fresh behavior; nothing more is read or run
		s.conn.Close()
	}
	return nil
}

// Received parses the input and dispatches each complete command.
func (s *session) Received(data []byte) error {
	if s.closing != nil || s.quit {
		return nil // past QUIT or a protocol error: nothing more is read
	}
	if s.ci.killed.Load() { // CLIENT KILL, its killClient still on the way
		s.kill()
		return nil
	}
	s.mono = monoNow() // the one clock reading of the read (stamp)
	s.wall = wallNow(s.mono)
	s.ci.lastActive.Store(s.wall / int64(time.Millisecond))
	if !s.bulkHeld { // else its own CONFIG SET of it is not answered yet
		s.p.maxBulk = s.srv.cfg.maxBulkLen.Load() // another's CONFIG SET applies at once
	}
	s.p.feed(data)
	for !s.quit {
		args, err := s.p.next()
		if err != nil {
			s.protocolError(err)
			break
		}
		if args == nil {
			break
		}
		s.dispatch(args)
	}
	s.p.compact()
	s.sendOpen()
	return s.flush()
}

// protocolError queues Redis's reply to a protocol error; the connection
// closes once it is written (flush).
func (s *session) protocolError(err error) {
	s.closing = err
	s.local().Error("ERR " + err.Error())
	s.endLocal()
}

// HandleMessage takes the services' replies.
func (s *session) HandleMessage(msg any) error {
	if s.ci.killed.Load() { // killClient, or what came before it
		s.kill()
		return nil
	}
	switch m := msg.(type) {
	case *messages.ServiceReply:
		s.answered(m)
	case *published:
		s.deliver(m) // pub/sub (cmd_pubsub.go)
	case *actor.Terminated:
		s.serviceGone(m.Who)
		if m.Who.Equal(s.broker) {
			s.brokerGone()
		}
	case *actor.DeadLetterResponse:
		s.serviceGone(m.Target)
	}
	return s.flush()
}

// kill closes a connection CLIENT KILL chose, at once: what it is owed
// (a parked BLPOP's reply, a pipeline's) and the replies not yet written are
// dropped, as Redis frees a killed client. The key space forgets what it
// still holds of the connection (clientKilled, after every request this
// one sent), so a parked request takes no data for it; the key space and
// the broker forget the rest when the connection ends (Terminated).
func (s *session) kill() {
	s.conn.Send(s.keySpace, &clientKilled{})
	s.quit = true // nothing more is read
	s.conn.Close()
}

// flush writes the replies that are ready, in order, in one write; then, if
// a protocol error or QUIT was waiting for everything before it, closes. A
// request answered in chunks (batchReply.More) has its next chunk asked
// for only once the last is written: run here on the direct path, then
// written in turn, or asked for by message.
func (s *session) flush() error {
	for {
		s.collect()
		if s.out.Len() > 0 {
			if _, err := s.conn.Write(s.out.buf); err != nil {
				return err
			}
			s.out.Reset()
			if cap(s.out.buf) > maxKeptOut {
				s.out.buf = nil // a huge reply's buffer is not kept
			}
		}
		if !s.moreOwed {
			break
		}
		s.moreOwed = false
		if s.ci.killed.Load() { // CLIENT KILL, between two chunks
			s.kill()
			return nil
		}
		if !s.askMore() {
			break
		}
	}
	s.reportHeld()
	s.awaitServer()
	if len(s.queue) > 0 {
		return nil
	}
	if s.closing != nil {
		e := supervision.New(supervision.BadRequest, "resp", s.closing)
		e.FramingLost = true
		return e
	}
	if s.quit {
		s.conn.Close()
	}
	if idle := s.p.idle(); idle != s.idle {
		s.idle = idle
		s.conn.SetIdle(idle)
	}
	return nil
}

// awaitServer tells the connection whether its peer waits for the server
// rather than the server for it: it is subscribed, or it is owed the reply
// of a blocking command (BLPOP q 0 may wait for ever). Redis's idle timeout
// skips such clients, so the connection's is suspended meanwhile.
func (s *session) awaitServer() {
	if a := s.subscribed() || s.owesBlocking(); a != s.awaiting {
		s.awaiting = a
		s.conn.SuspendIdleTimeout(a)
	}
}

// owesBlocking says whether a request not yet answered holds a command
// that may block (one a transaction queued does not block: EXEC runs it
// at once).
func (s *session) owesBlocking() bool {
	for _, g := range s.queue {
		if g.blocking && g.reply == nil {
			return true
		}
	}
	return false
}

// maxKeptOut is the largest output buffer a connection keeps between writes.
const maxKeptOut = 64 << 10

// Held implements protocol.Holder: the start of a command whose end has not
// arrived.
func (s *session) Held() []byte { return s.p.buf[s.p.commandStart():] }

// PeerClosed tells the key space that the peer is gone: a blocked command
// of a client that closed must not pop data for it, as Redis frees such a
// client. The key space answers it as abandoned; the replies of the others
// are still written, for a peer that only half-closed.
func (s *session) PeerClosed() bool {
	s.conn.Send(s.keySpace, &peerGone{})
	s.keySpaceHeard = false // no direct run before the key space has had it
	return false
}

// Ended drops the connection from the server's registry (CLIENT LIST, INFO
// clients). The key space forgets it by itself (it watches every
// connection that sent it a command); one that never did is not watched,
// which is what keeps an idle connection cheap.
func (s *session) Ended() { s.srv.clients.leave(s.ci.conn) }

// TimedOut has nothing to say: Redis closes an idle client without a word.
func (s *session) TimedOut() {}
