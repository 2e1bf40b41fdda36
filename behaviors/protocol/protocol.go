// Package protocol is the contract between the actor tree and a connection
// behavior (a protocol): what a behavior implements (Protocol, and
// MessageHandler if it takes messages from other actors), what it sees of its
// connection (Conn), and what its constructor hands the tree (Setup: a Factory
// and the service actors it needs). Every behavior package imports it; it
// imports none of them.
//
// A connection behavior is the per-connection state and logic of one protocol.
// The connection actor (package actors) owns the socket and its reader (a
// role, held by a goroutine only while input flows: internal/netpoll); it
// hands every chunk of bytes the peer sends to its Protocol, in order, one at
// a time, and the Protocol writes replies through its Conn. A Protocol never reads
// the socket, never blocks on anything but its own writes, and never needs a lock.
//
// The package's examples are the tutorials, run by go test: one adds a
// behavior (a Protocol, its Setup, the registry line, its test with package
// testkit); the other a message-driven behavior, whose connections share
// state through a service actor (Setup.Services, Conn.Request,
// MessageHandler), as package chat does at full size.
package protocol

import (
	"net"
	"time"

	"async_server/internal/netpoll"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
)

// MaxReceived is the most input one Protocol.Received brings: the I/O
// engine's read buffer (one TLS record fits it).
const MaxReceived = netpoll.MaxDelivery

// Protocol is a connection behavior: one connection's protocol state and logic.
// A fresh Protocol is made for each connection, and again after each restart of
// its connection actor (a restart throws the old state away; the socket stays).
type Protocol interface {
	// Received handles the next bytes the peer sent. data is valid only during the
	// call: keep a copy of what you need later. A returned error fails the
	// connection actor, and its category decides what the supervisor does; return a
	// *supervision.Error (an error of any other type counts as Internal, as does a
	// panic). Write any error reply the protocol has before returning the error.
	// At most MaxReceived bytes come in one call.
	Received(data []byte) error

	// TimedOut is called when the peer missed a read deadline: it sent nothing for
	// the idle timeout, or missed a deadline set with Conn.SetReadDeadline. The
	// connection is closed right after (Timeout: Stop); a protocol may write a last
	// reply first (HTTP 408).
	TimedOut()
}

// Conn is what a behavior sees of its connection. It is made by the connection
// actor and outlives restarts of the behavior. Call it only from the
// behavior's own code, which runs on its connection's goroutines: the
// constructor (Factory), Started, Received, HandleMessage and TimedOut; never
// from a goroutine of the behavior's own.
type Conn interface {
	// Write writes p to the peer within the write timeout. Its error is a
	// *supervision.Error (ConnectionFailed, or Timeout when the peer does not read),
	// ready to be returned from Received.
	Write(p []byte) (int, error)

	// SetReadDeadline sets a time by which the next bytes must arrive, on top of the
	// idle timeout (the earlier wins); the zero time removes it.
	SetReadDeadline(t time.Time)

	// Close asks for the connection to be closed once the current Received returns,
	// after everything written so far has been sent.
	Close()

	// SetIdle says whether the behavior is between requests and owes the peer
	// nothing (true), or is busy with one (false). At the connection limit the
	// accept loop closes the longest-idle connection to admit a waiting client,
	// as servers under pressure drop idle keep-alive connections first. The
	// connection says it for the behavior until the peer speaks: idle from its
	// start (the constructor may say otherwise), busy from its first input on.
	// A behavior that never calls it is then never closed that way; after a
	// restart the fresh behavior starts busy.
	SetIdle(idle bool)

	// SuspendIdleTimeout says whether the peer waits for the server (true:
	// a reply it is owed may be long in coming, as a blocked command's, or
	// it listens, as a pub/sub subscriber) rather than the server for the
	// peer. While it does, the idle timeout does not apply; once it no
	// longer does, the idle time counts anew. (Redis closes no blocked or
	// subscribed client for idleness.) A deadline of the behavior's own
	// (SetReadDeadline) applies throughout. After a restart the fresh
	// behavior starts with it false.
	SuspendIdleTimeout(suspend bool)

	// Unread hands back input the behavior received but did not consume because
	// it is failing on a request before it. If the supervisor restarts the
	// behavior, the fresh one receives p before anything else, so the peer loses
	// only the request that failed; if the connection stops instead, p is
	// dropped. p is copied. Call it just before returning the error (or
	// panicking); a later call replaces an earlier one.
	Unread(p []byte)

	// Hold tells the connection how many bytes of its peer's input the
	// behavior holds now (a request body, an unfinished request, lines
	// waiting for a service), so that they count against the server's memory
	// budget (-memory-budget) with what others have queued for the
	// connection: near the budget the connections that hold the most are
	// read no more (TCP pushes back on their peers), and past it the largest
	// is closed. Call it when the amount changes by more than a little, and
	// with 0 once the behavior holds nothing; a behavior that never holds
	// more than one read need not call it. A restart counts 0 for the fresh
	// behavior.
	Hold(n int)

	// Service returns the PID of the service actor called name, one of those the
	// behavior declared in its Setup, or nil if there is none by that name.
	Service(name string) *actor.PID

	// Send sends msg to the actor pid (a service, or an actor a service named),
	// with this connection as its sender: the receiver may answer with
	// ctx.Respond, or keep ctx.Sender() to send to the connection later. It never
	// blocks. msg must be plain data (no channels, funcs or pointers into another
	// actor's state), so that a service could live on another node.
	Send(pid *actor.PID, msg any)

	// Request sends a *messages.ServiceRequest carrying msg to pid and returns its
	// ID. The receiver answers it with exactly one *messages.ServiceReply of the
	// same ID (ctx.Respond), which reaches HandleMessage. While MaxInFlight
	// requests are unanswered the connection reads no more input: TCP pushes back
	// on the peer, as it does when a behavior is slow. A pid that stops for
	// good answers nothing: once its *actor.Terminated reaches the connection
	// (Watch it), the requests it still owed are written off, so they hold
	// back neither input nor the connection's finish (shutdown, the peer's
	// EOF); the behavior answers its client for them itself. A request to a
	// nil pid (Service found no such name) goes nowhere and is written off at
	// once.
	Request(pid *actor.PID, msg any) uint64

	// Watch asks for an *actor.Terminated, through HandleMessage, when pid stops
	// (a room the connection joined, say).
	Watch(pid *actor.PID)

	ID() string           // the connection's name in the log and the actor tree
	RemoteAddr() net.Addr // the peer's address
	LocalAddr() net.Addr  // the server's address the peer connected to (its listener's)
	Log() *logrus.Entry   // a logger that carries the connection's id and remote address

	// LogFailure is Log for a line a peer can cause at will (a failure, a
	// panic's stack): nil when level is off or the listener's log budget for
	// failures is spent (the line is then counted, and the next one written
	// says how many were left out: docs/operations.md, Logging), so that
	// clients cannot write the log at the rate they send.
	LogFailure(level logrus.Level) *logrus.Entry
}

// MessageHandler is implemented by a message-driven behavior: one that receives
// messages from other actors, beside the bytes its peer sends. HandleMessage gets
// every message sent to the connection actor that is not the connection's own:
// a *messages.ServiceReply to a Request, what services send it, and an
// *actor.Terminated for each actor it watches. It runs on the connection's own
// goroutine, in mailbox order with Received, never on the sender's; its error
// fails the connection exactly as Received's does.
type MessageHandler interface {
	HandleMessage(msg any) error
}

// Holder is implemented by a behavior that keeps input it has received but not
// yet answered: the start of a request whose end has not arrived. When its
// connection is made to fail from outside (a fault injected through the
// observatory), the connection hands Held's bytes to the fresh behavior first,
// as it hands over what Conn.Unread gave back after a failure of the
// behavior's own: an injected restart, which interrupts no request, loses no
// input. A behavior that keeps none need not implement it.
type Holder interface {
	Held() []byte
}

// InputGate is implemented by a behavior that may be sent input faster than
// it can pass it on: while ReadyForInput reports false the connection reads
// no more from its peer, so TCP pushes back on it instead of the behavior
// queueing, and it asks again after every message the behavior handles.
// chat's sessions wait so for their room to answer the lines they sent.
type InputGate interface {
	ReadyForInput() bool
}

// Starter is implemented by a behavior that acts as soon as its connection
// starts, before the peer sends anything: a greeting, a registration with a
// service. Started runs on the connection's own goroutine when the connection
// is accepted, and in the fresh behavior after each restart (before the input
// the failed one handed back with Unread); its error fails the connection
// exactly as Received's does.
type Starter interface {
	Started() error
}

// PeerClosedHandler is implemented by a behavior that decides what the
// peer's EOF means. By default a connection whose peer has closed its side
// still answers what it received, replies owed by services included (a
// half-closed peer reads them), then ends. PeerClosed runs on the
// connection's own goroutine when the EOF is read; true ends the connection
// at once instead, unanswered replies and all, as Redis frees a client at
// EOF: a request it left parked in a service (a blocked BLPOP) must not take
// data for a peer that is gone.
type PeerClosedHandler interface {
	PeerClosed() bool
}

// Ender is a behavior that releases something outside itself when its
// connection ends (resp drops its record from the server's client registry,
// which CLIENT LIST and INFO read). Ended runs once, on the connection's
// goroutine, as its actor stops, for whatever reason the connection ended;
// it must not block, and a panic in it is logged and goes no further. It is
// not called for a behavior replaced by a restart (the connection goes
// on), nor for one abandoned at shutdown (it never returned). A behavior
// that needs to hear of a connection's end only because a service does
// should let the service Watch the connection instead.
type Ender interface {
	Ended()
}

// MaxInFlight bounds a connection's unanswered Requests (see Conn.Request).
// 64 lets a pipelining client keep a service busy without the replies it is owed
// costing more than a few kilobytes.
const MaxInFlight = 64

// Factory makes a fresh Protocol for conn: when the connection is accepted and
// after every restart of its actor. It runs on the connection's own goroutine,
// as Received does, and a panic in it fails the connection as one in Received
// does (Internal: restarted, so the Factory runs again, or stopped once the
// restart budget is spent); it never harms the listener.
type Factory func(conn Conn) Protocol

// Service declares a service actor a behavior needs: the tree spawns it at
// start, by Name, under the services supervisor (beside the acceptors), which
// restarts or stops it by the supervision table; it is stopped after every
// connection has closed and before the logger.
type Service struct {
	Name string
	New  func() actor.Actor // a fresh instance: at start and after each restart

	// OnSender runs the service on the goroutines of those who send to it:
	// a message that finds it idle is handled right there, on the sender's
	// goroutine (a connection's), and its answer is handled by that
	// connection's own run, with no goroutine hand-off either way (a run
	// longer than a few messages goes on on a runner). Set it only for a
	// service that never blocks (no I/O, no waiting on a lock another actor
	// holds while it sends): whoever sent to it waits while it runs. The
	// resp key space and broker set it; without it a service runs on
	// runners (a goroutine hand-off each time it wakes, and each time its
	// answer wakes a connection).
	OnSender bool
}

// Setup is what a behavior's constructor makes: the Factory of its per-connection
// protocols, the services they talk to, Release, which frees what the Factory
// holds open for the server's life (never nil after New), and what it says to a
// client turned away at the connection limit (Busy; the zero value is fine).
type Setup struct {
	Factory  Factory
	Services []Service
	Release  func() error
	Busy     Busy

	// NotTLS, if set, is the behavior's answer to a client that speaks in the
	// clear to a TLS listener: given the first bytes it sent (the five crypto/tls
	// took for a record header), the reply to write before the close, or nil
	// for none. http answers such a request 400, as net/http does.
	NotTLS func(head []byte) []byte

	// Metrics, if set, registers the behavior's own metrics (named
	// async_server_<behavior>_...) with the observatory's registry, which
	// /metrics serves. The server calls it once, before any connection or
	// service starts, and only when the observatory is on (-admin, -chaos):
	// with it off a behavior measures nothing for it.
	Metrics func(reg prometheus.Registerer)

	// Grains are the grain kinds (virtual actors the cluster places on its
	// members, by cluster.NewKind) the behavior needs when the server runs
	// in a cluster (-cluster); without one they are ignored, and the
	// behavior works alone as it always did. Every node of a cluster runs
	// the same behaviors, so every node hosts the same kinds. A service
	// actor or a grain finds the running cluster with
	// cluster.NodeOf(ctx.ActorSystem()) (package async_server/cluster; nil
	// when not clustered), and sends a grain a request, once, within
	// -cluster-request-timeout, with its Request. Messages to grains and
	// from them cross nodes: they must be protobuf messages.
	Grains []*cluster.Kind
}

// Busy is a behavior's answer to a client turned away at the connection limit
// (-at-limit reject). It is plain bytes, not a Protocol, because no connection
// actor is made for that client: the acceptor writes Reply from a goroutine of
// its own, under a short deadline, and closes.
type Busy struct {
	// Reply is written before the close: nil means DefaultBusyReply, empty means
	// close without a word.
	Reply []byte

	// AfterInput waits (briefly) for the client's first bytes before replying,
	// for protocols whose clients write before they read. An HTTP client that
	// finds a response on a new connection before it has sent its request may
	// take it for an unsolicited one and drop it (Go's Transport does).
	AfterInput bool
}

// DefaultBusyReply is what a client turned away at the connection limit reads
// when its behavior's Setup.Busy names no reply: one line, in the "error: ..."
// style of the line protocols (chat uses it as it is).
var DefaultBusyReply = []byte("error: server busy, try again later\n")
