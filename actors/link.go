package actors

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/internal/netpoll"
	"async_server/messages"
	"async_server/observatory"
)

// link is one connection's socket and its engine (sock, internal/netpoll):
// everything about the connection that survives restarts of its actor. It
// implements protocol.Conn.
//
// Flow control: the reader sends one DataReceived and then waits for an ack before
// it reads again, so a peer can never queue more than one buffer in the server;
// TCP pushes back on it instead.
type link struct {
	id   string
	self *actor.PID // the connection actor
	env  *connEnv   // what every connection of its listener shares

	stats  observatory.Stats // bytes in and out, for the observatory
	ending atomic.Int32      // why the connection is ending (setEnd): an endCause

	sock  netpoll.Conn          // the reader's role and the dispatcher that runs the actor on this connection's goroutines
	msg   messages.DataReceived // one message serves every read: see its doc for why that is safe
	box   mailbox               // the actor's (its producer returns it): the reader delivers msg into it
	slots chan struct{}         // the listener's connection slots: the reader frees one as it closes the socket
	slot  atomic.Int32          // what the link holds of slots and env.closing: a slotState

	// The write deadline on the socket (link_write.go), and whether a write
	// timed out (written: the peer takes no data, so the close is hard).
	// Touched only by the actor; here, beside slot, the flag takes no room.
	writeTimedOut bool
	writeArmed    time.Time

	// idleSince is when the behavior last said it is idle (SetIdle), in unix
	// nanoseconds; 0 while it is busy. The connection supervisor reads it at
	// the connection limit to pick the connection to close.
	idleSince atomic.Int64

	// reading: the Server's readers count this connection's reader (from its
	// first Started) until writeOffReader, at the socket's close or when the
	// shutdown abandons the connection.
	reading atomic.Bool
	// The link's place in env.idle while it is idle; guarded by env.idle.mu.
	idlePrev, idleNext *link
	idleListed         bool

	outbox outbox // bounds what other actors have queued for the connection

	// What the connection holds, for the server's memory budget (budget.go):
	// charged is its input and output bytes counted there, each part in
	// whole KiB (counted; any goroutine; gone once it no longer counts),
	// held the part its behavior reported
	// last (Hold; the actor's), budgetPaused (below, beside the other flags,
	// to spare the padding) whether its input waits for the budget to have
	// room (the actor's).
	charged atomic.Int64
	held    int64

	gate protocol.InputGate // the behavior, if it is one; set at each Started (the actor's)

	// Touched only by the connection actor (one incarnation at a time).
	readerStarted  bool
	ready          bool // the behavior may start (protocol.Starter): at once, or after the TLS handshake
	handling       bool // a DataReceived is being handled: a restart owes its ack
	closeRequested bool
	ackOwed        bool             // the reader waits for an ack held back by the in-flight bound
	finishing      bool             // told to Finish, or the peer closed: stop once no reply is owed
	budgetPaused   bool             // see charged
	spoke          bool             // the peer has sent something: no longer idle for that (connActor.onData)
	unread         []byte           // input handed back by a failing behavior, for its successor
	ctx            actor.Context    // the current Receive's context: valid only during it
	actor          *connActor       // the incarnation from its Started to its Stopped, for onInput and onReply; nil otherwise
	requests       uint64           // Requests made, across restarts: the last ID
	inFlight       []pendingRequest // Requests not yet answered (link_conn.go)
	overdue        *time.Timer      // after the peer's EOF with replies owed: bounds the wait (awaitReplies)
}

var _ protocol.Conn = (*link)(nil)

// connEnv is what every connection of a listener shares.
type connEnv struct {
	tls      *tls.Config // the listener's TLS; nil for plain TCP
	listener string      // the listener's address
	behavior string      // the listener's behavior, by name
	hub      *observatory.Hub
	seq      *atomic.Uint64 // connections accepted by the server: conn-N names are unique in it
	cfg      *Config
	readers  *sync.WaitGroup       // the server's readers: Done waits for every one to exit
	engine   netpoll.Options       // the process's poller, the idle timeout, the behavior's reply to plain text on a TLS listener
	failures *logBudgets           // bound the log lines of the listener's failures
	idle     *idleList             // the idle connections, idle longest first
	closing  chan struct{}         // slots for evicted sockets still closing (evict)
	services map[string]*actor.PID // the behavior's service actors, by name
	factory  protocol.Factory      // makes the listener's behavior: run by the connection actor at each Started
	root     *actor.RootContext    // the actor system's: the reader and the outbox send with it
	budget   *budget               // the server's memory budget, shared by every listener; nil: none
	log      *logrus.Entry         // the listener's
}

// newLink makes the link of conn, whose connection actor will be self, holding a
// slot in slots.
func newLink(conn net.Conn, self *actor.PID, env *connEnv, slots chan struct{}) *link {
	id := childName(self)
	l := &link{
		slots: slots,
		id:    id,
		self:  self,
		env:   env,
	}
	if n := env.cfg.SendBuffer; n > 0 {
		setSendBuffer(conn, n)
	}
	l.sock.Init(conn, (*linkEvents)(l), &env.engine)
	l.outbox = outbox{hard: env.cfg.OutputLimit, soft: env.cfg.OutputSoftLimit, softFor: outputSoftFor, link: l}
	if env.budget != nil {
		env.budget.join(l)
	}
	return l
}

// setSendBuffer sets conn's SO_SNDBUF to n bytes (Config.SendBuffer). A
// failure leaves the kernel's default, which is no reason to refuse a client.
func setSendBuffer(conn net.Conn, n int) {
	if tc := netpoll.TCP(conn); tc != nil {
		_ = tc.SetWriteBuffer(n)
	}
}

// ack lets the reader read again.
func (l *link) ack() { l.sock.Ack() }

func (l *link) isShut() bool { return l.sock.IsShut() }

// shut ends the connection (netpoll.Conn.Shut); calling it again does
// nothing. graceful sends FIN first and leaves the close to the reader,
// which drains the peer's last bytes so that the close does not reset
// replies in flight; otherwise the socket is closed at once. It never blocks.
func (l *link) shut(graceful bool) { l.sock.Shut(graceful) }

// SetReadDeadline implements protocol.Conn.
func (l *link) SetReadDeadline(t time.Time) { l.sock.SetReadDeadline(t) }

// Close implements protocol.Conn.
func (l *link) Close() { l.closeRequested = true }

// ID implements protocol.Conn.
func (l *link) ID() string { return l.id }

// RemoteAddr implements protocol.Conn.
func (l *link) RemoteAddr() net.Addr { return l.sock.NetConn().RemoteAddr() }

// LocalAddr implements protocol.Conn.
func (l *link) LocalAddr() net.Addr { return l.sock.NetConn().LocalAddr() }

// Log implements protocol.Conn.
// The entry is made for each call, not kept: most connections log nothing, and
// an entry with its fields costs more than the rest of an idle connection's
// bookkeeping.
func (l *link) Log() *logrus.Entry {
	return l.env.log.WithFields(logrus.Fields{"conn": l.id, "remote": l.sock.NetConn().RemoteAddr().String()})
}

// LogFailure implements protocol.Conn: Log within the listener's budget for
// failure lines (logbudget.go).
func (l *link) LogFailure(level logrus.Level) *logrus.Entry {
	return l.env.failures.entry(l.Log(), level)
}

// debug logs msg at Debug level, and costs nothing when that level is off
// (the default): it runs for every connection.
func (l *link) debug(msg string) {
	if l.env.log.Logger.IsLevelEnabled(logrus.DebugLevel) {
		l.Log().Debug(msg)
	}
}
