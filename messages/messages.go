// Package messages holds the messages async_server's actors send each other.
//
// Data only: no behavior, no imports of the actor packages. Every message is sent
// and matched as a pointer and is immutable once sent. Each doc comment names the
// sender and the receiver. Events are named in the past tense, commands in the
// imperative.
package messages

import (
	"net"
	"time"

	"github.com/sirupsen/logrus"
)

// ConnectionAccepted is sent by an acceptor's accept loop to its listener's
// connection supervisor for every accepted connection, with a connection slot
// taken for it. The supervisor owns Conn from then on: it either spawns a
// connection actor for it or closes it (and frees the slot).
type ConnectionAccepted struct {
	Conn net.Conn
}

// ClientWaiting is sent by an accept loop to its listener's connection
// supervisor when it has accepted a connection but every slot is taken: make
// room if an idle connection can go. Room, when not nil (-at-limit reject),
// gets one answer: whether a connection is being closed to make room (true),
// or the client must be turned away. It has room for that answer, so the
// supervisor never blocks on it.
type ClientWaiting struct {
	Room chan<- bool
}

// AcceptFailed is sent by an accept loop to its acceptor when the listener is gone
// (closed under it: an error that backing off cannot cure). It is the loop's
// last message.
type AcceptFailed struct {
	Err error
}

// DataReceived is sent by a connection's reader to its connection actor.
//
// Data aliases the reader's buffer: the reader does not read again until the actor
// has acknowledged this message, so Data is valid for the whole of that Receive
// call and no longer. A behavior that keeps bytes must copy them.
//
// The message itself is reused the same way, as the one exception to "immutable
// once sent": the reader sends the same *DataReceived for every read and sets its
// Data only after the actor has acknowledged the previous one (or never again,
// once the connection is shut). That holds because at most one is in flight per
// connection. So no receiver may keep the message past its Receive call, nor pass
// it on (the supervisor's failure report carries it, and ignores it).
type DataReceived struct {
	Data []byte
}

// ConnectionReady is sent by a TLS connection's reader to its connection actor
// once the handshake is done: the behavior may start (protocol.Starter) now, and
// input follows.
type ConnectionReady struct{}

// ReadFailed is the last message a connection's reader sends to its
// connection actor. Err is io.EOF when the peer closed its side in order.
type ReadFailed struct {
	Err error
}

// ServiceRequest is sent by a connection (Conn.Request) to a service, which
// answers it with exactly one ServiceReply of the same ID (ctx.Respond). Body is
// the behavior's own message: plain data.
type ServiceRequest struct {
	ID   uint64
	Body any
}

// ServiceReply is a service's answer to a ServiceRequest, sent to the requesting
// connection, whose behavior gets it through HandleMessage.
type ServiceReply struct {
	ID   uint64
	Body any
}

// Finish is the poison pill a connection supervisor sends each of its connections at
// shutdown: an ordinary message, so what the connection received before it is
// answered first, replies it is owed by services included; then it closes.
// Input that arrives after it is not handed to the behavior.
type Finish struct{}

// ServicesStarted is sent by the services supervisor to the root actor once it
// has spawned every service: root starts the acceptors then.
type ServicesStarted struct{}

// Accepting is sent by an acceptor to the root actor once its accept loop runs
// (again, after each restart): Start returns once every acceptor has said so,
// so nothing a caller does next races the acceptors' start.
type Accepting struct {
	Listener string // the acceptor's address: a restarted acceptor says it again
}

// Shutdown is sent by the server (on SIGINT or SIGTERM) to the root actor: begin the
// graceful shutdown.
type Shutdown struct{}

// Drain is sent by the root actor to every connection supervisor at shutdown,
// once it has stopped the acceptors: poison every connection, and report
// (Drained) once the last connection has gone.
type Drain struct{}

// ForceClose is sent by the root actor to every connection supervisor when the
// shutdown timeout has passed: close hard, now, the connections that are still
// draining and the sockets still in their close-wait (the drain after the FIN),
// and say how many (ForceClosed).
type ForceClose struct{}

// ForceClosed is a connection supervisor's answer to ForceClose: what it
// closed hard.
type ForceClosed struct {
	Listener    string // the listener's address
	Connections int    // connections still open (their actors had not stopped)
	Drains      int    // sockets of connections already gone, whose close-wait drain was cut
	Unacked     int    // of those, connections counted graceful whose client had not acknowledged every byte: forced after all
}

// Abandon is sent by the root actor to every connection supervisor still
// draining a grace after ForceClose: report now (Drained), counting the
// connections still there as abandoned (their behavior is blocked on
// something the closed socket does not end).
type Abandon struct{}

// Drained is sent by a connection supervisor to the root actor after a Drain,
// once its last connection is gone (or once told to Abandon): how its
// connections ended.
type Drained struct {
	Listener  string // the listener's address
	Graceful  int    // connections that finished what they had received
	Failed    int    // connections that ended on a failure meanwhile (a write timeout to a peer that does not read, a reset, the output limit)
	Forced    int    // connections closed hard at the shutdown timeout
	Abandoned int    // connections whose actor had not stopped a grace after that: left behind
}

// ClusterLeft is sent to the root actor, during shutdown, by the goroutine
// root starts to leave the cluster (cluster.Node.Stop), once it has left.
type ClusterLeft struct{}

// SocketsClosed is sent to the root actor, during shutdown, by a goroutine root
// starts to wait for every connection's reader to close its socket.
type SocketsClosed struct{}

// StopLogger is sent by the root actor to the logger actor as the last step of the
// shutdown: write every entry already queued, then stop.
type StopLogger struct{}

// SyncLog asks the logger actor (Server.SyncLog) to answer once every entry
// queued before it is written and the file synced; it answers with the same
// message.
type SyncLog struct{}

// ShutdownTimedOut is sent by the root actor's shutdown timer to the root actor.
type ShutdownTimedOut struct{}

// GracePassed is sent by the root actor's timer to the root actor, a grace
// after ForceClose: time to Abandon what is still open.
type GracePassed struct{}

// ServicesSlow is sent by the root actor's timer to the root actor, a while
// after it told the services supervisor to stop: if the services are still
// there, root says so in the log (a stalled service holds the shutdown).
type ServicesSlow struct{}

// IgnoreDeadLetterLogging: the timer may fire after root has stopped.
func (*ServicesSlow) IgnoreDeadLetterLogging() {}

// LogEntry is sent by any component (through the logrus front end in package logs)
// to the logger actor, which writes it to the log file. Fields is owned by the
// message.
type LogEntry struct {
	Time    time.Time
	Level   logrus.Level
	Message string
	Fields  map[string]any
}

// Messages that may arrive after their receiver stopped, as part of normal
// operation (a reader's last words after its socket was closed, a log line in flight
// at shutdown). They are not worth a dead-letter log line; the dead-letter event is
// still published. For LogEntry it also breaks a loop: a dead-letter line about a
// log entry would itself be a log entry.
func (*DataReceived) IgnoreDeadLetterLogging() {}
func (*ReadFailed) IgnoreDeadLetterLogging()   {}
func (*LogEntry) IgnoreDeadLetterLogging()     {}

// Inject is a fault, sent by the observatory's users (the admin endpoint's POST
// /faults, -chaos, the test kit) through Server.Inject to one actor: a
// connection, a service, an acceptor or the logger. The actor fails at once
// with a supervision error of Category (a name from the supervision table),
// marked as injected, so its supervisor decides as for a real failure; or,
// when Stall is set, it stops handling messages for that long, as a stuck
// actor would (its mailbox fills; its peer's TCP window closes).
type Inject struct {
	Category string
	Stall    time.Duration
}
