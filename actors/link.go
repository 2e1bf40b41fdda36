package actors

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/messages"
	"async_server/observatory"
	"async_server/supervision"
)

const (
	// readBufferSize is the most one DataReceived carries. 16 KiB takes a typical
	// request or a pipelined batch in one read without costing much per idle
	// connection (10 000 idle connections hold 160 MiB).
	readBufferSize = 16 << 10

	// lingerTimeout bounds how long a gracefully closed connection keeps reading
	// (and discarding) after it sent its FIN: closing a socket with unread input
	// makes the kernel send RST, which can destroy the last reply in flight. 500 ms
	// is net/http's choice for the same problem.
	lingerTimeout = 500 * time.Millisecond
)

// link is one connection's socket and reader goroutine: everything about the
// connection that survives restarts of its actor. It implements protocol.Conn.
//
// Flow control: the reader sends one DataReceived and then waits for an ack before
// it reads again, so a peer can never queue more than one buffer in the server;
// TCP pushes back on it instead.
type link struct {
	conn         net.Conn
	id           string
	remote       string
	stats        observatory.Stats      // bytes in and out, for the observatory
	end          atomic.Pointer[string] // why the connection is ending (setEnd)
	log          *logrus.Entry
	idleTimeout  time.Duration
	writeTimeout time.Duration

	dispatch connDispatcher  // runs the connection actor's mailbox on this connection's goroutines
	slots    chan struct{}   // the acceptor's connection slots: the reader frees one as it closes the socket
	acks     chan struct{}   // capacity 1; the actor acks each DataReceived it handled
	closed   chan struct{}   // closed by shut: the reader stops delivering and drains
	isClosed atomic.Bool     // set by shut just before it closes closed: cheaper to poll
	readers  *sync.WaitGroup // the server's readers: Done waits for every one to exit
	shutOnce sync.Once

	readDeadline atomic.Int64 // unix nanoseconds set by the behavior; 0: none
	readArmed    time.Time    // the read deadline on the socket; touched only by the reader
	writeArmed   time.Time    // the write deadline on the socket; touched only by the actor

	// idleSince is when the behavior last said it is idle (SetIdle), in unix
	// nanoseconds; 0 while it is busy. The acceptor reads it at the connection
	// limit to pick the connection to close.
	idleSince atomic.Int64

	services map[string]*actor.PID // the behavior's service actors, by name
	outbox   outbox                // bounds what other actors have queued for the connection

	// Touched only by the connection actor (one incarnation at a time).
	readerStarted  bool
	closeRequested bool
	unread         []byte        // input handed back by a failing behavior, for its successor
	ctx            actor.Context // the current Receive's context: valid only during it
	requests       uint64        // Requests made, across restarts: the last ID
	inFlight       int           // Requests not yet answered
	ackOwed        bool          // the reader waits for an ack held back by the in-flight bound
	dataPending    bool          // a DataReceived is being handled and not yet acked
	finishing      bool          // told to Finish: stop once no reply is owed
}

var _ protocol.Conn = (*link)(nil)

// connEnv is what every connection of an acceptor shares.
type connEnv struct {
	tls      *tls.Config // the listener's TLS; nil for plain TCP
	listener string      // the listener's address
	behavior string      // the listener's behavior, by name
	hub      *observatory.Hub
	seq      *atomic.Uint64 // connections accepted by the server: conn-N names are unique in it
	cfg      *Config
	readers  *sync.WaitGroup       // the server's readers: Done waits for every one to exit
	services map[string]*actor.PID // the behavior's service actors, by name
	root     *actor.RootContext    // the actor system's, for the outbox's Stop
	log      *logrus.Entry         // the acceptor's
}

// newLink makes the link of conn, whose connection actor will be self, holding a
// slot in slots.
func newLink(conn net.Conn, self *actor.PID, env *connEnv, slots chan struct{}) *link {
	id := childName(self)
	l := &link{
		slots:        slots,
		readers:      env.readers,
		services:     env.services,
		conn:         conn,
		id:           id,
		remote:       conn.RemoteAddr().String(),
		idleTimeout:  env.cfg.IdleTimeout,
		writeTimeout: env.cfg.WriteTimeout,
		acks:         make(chan struct{}, 1),
		closed:       make(chan struct{}),
	}
	l.log = env.log.WithFields(logrus.Fields{"conn": id, "remote": l.remote})
	l.outbox = outbox{hard: env.cfg.OutputLimit, soft: env.cfg.OutputSoftLimit, softFor: outputSoftFor,
		root: env.root, self: self, link: l}
	return l
}

// read is the reader goroutine: it turns socket bytes into DataReceived messages
// for the connection actor self, one at a time, and ends with one ReadFailed. It
// owns the final close of the socket on the graceful path. It exits when the read
// fails or once shut has been called and the socket is drained; the socket's close
// is its last act. The acceptor waits for nothing from it; the Server waits for
// every reader (l.readers, added to by the connection actor that starts it)
// before it is done, so no reader or socket outlives it.
func (l *link) read(root *actor.RootContext, self *actor.PID) {
	defer l.readers.Done()
	err := l.secure(root, self)
	buf := make([]byte, readBufferSize) // after the handshake: a stalled one holds none
	// One message serves every read, as buf does: see messages.DataReceived for
	// why that is safe. It saves an allocation per read.
	msg := &messages.DataReceived{}
	for err == nil {
		l.armRead()
		if l.isShut() { // checked after setting the deadline: shut's own deadline wins
			break
		}
		var n int
		n, err = l.conn.Read(buf)
		l.stats.In.Add(uint64(n))
		if n > 0 && !l.isShut() {
			msg.Data = buf[:n]
			l.dispatch.deliver(root, self, msg)
			select {
			case <-l.acks: // almost always: deliver ran the actor on this goroutine
			default:
				select {
				case <-l.acks:
				case <-l.closed:
				}
			}
		}
	}
	if err != nil {
		if !l.isShut() {
			l.dispatch.deliver(root, self, &messages.ReadFailed{Err: err})
		}
		<-l.closed // the actor always stops after a ReadFailed
	}
	l.drain(buf)
}

// handshakeTimeout bounds a TLS handshake: a client that does not finish it in
// this long is closed, so it cannot hold a slot without sending a request.
const handshakeTimeout = 10 * time.Second

// secure runs the TLS handshake of a TLS connection on the reader, never on the
// acceptor, so a slow client stalls nothing but its own connection, and then
// tells the actor the connection is ready. A plain connection has nothing to do.
func (l *link) secure(root *actor.RootContext, self *actor.PID) error {
	tc, ok := l.conn.(*tls.Conn)
	if !ok {
		return nil
	}
	_ = tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.HandshakeContext(context.Background()); err != nil {
		return fmt.Errorf("tls handshake: %w", err)
	}
	_ = tc.SetDeadline(time.Time{}) // armRead and Write set their own from here on
	l.dispatch.deliver(root, self, &messages.ConnectionReady{})
	return nil
}

// drain discards what the peer still sends until it closes or lingerTimeout
// passes, then closes the socket and frees the connection's slot: only now,
// so -max-conns bounds open sockets, not just live actors.
func (l *link) drain(buf []byte) {
	discarded := discard(l.conn, buf)
	_ = l.conn.Close()
	if discarded > 0 { // input that arrived after the connection began to close
		l.log.WithField("bytes", discarded).Info("unread input discarded at close")
	}
	freeSlot(l.slots) // last: the next connection's log lines come after this one's
}

// discard reads and drops what the peer of a half-closed conn still sends, until
// it closes or lingerTimeout passes, and returns how many bytes that was.
// Closing a socket with unread input makes the kernel send RST, which can
// destroy the last reply in flight.
func discard(conn net.Conn, buf []byte) int {
	_ = conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	n := 0
	for {
		k, err := conn.Read(buf)
		n += k
		if err != nil {
			return n
		}
	}
}

// armRead sets the socket's read deadline to the earlier of the idle deadline and
// the behavior's deadline.
func (l *link) armRead() {
	var d time.Time
	if l.idleTimeout > 0 {
		d = time.Now().Add(l.idleTimeout)
	}
	if ns := l.readDeadline.Load(); ns != 0 {
		if b := time.Unix(0, ns); d.IsZero() || b.Before(d) {
			d = b
		}
	}
	if rearm(l.readArmed, d, time.Now()) {
		_ = l.conn.SetReadDeadline(d)
		l.readArmed = d
	}
}

// rearm reports whether a socket deadline must move from armed to want, at now.
// Moving a deadline costs a runtime timer update, which on the per-message path
// of a busy connection is a measurable share of a round trip; so a deadline that
// would only move later by less than 1/16 of the time it grants (want - now)
// stays where it is. The tolerance follows the deadline asked for, whichever
// timeout it comes from: a behavior's 500 ms deadline moves every 31 ms of
// progress, the 5 min idle timeout every 19 s. The peer gets at least 15/16 of
// what it is owed, never less than an earlier deadline gives it.
func rearm(armed, want, now time.Time) bool {
	if want.IsZero() || armed.IsZero() || want.Before(armed) {
		return !want.Equal(armed)
	}
	return want.Sub(armed) > want.Sub(now)/16
}

// ack lets the reader read again.
func (l *link) ack() {
	select {
	case l.acks <- struct{}{}:
	default:
	}
}

func (l *link) isShut() bool { return l.isClosed.Load() }

// shut ends the connection; calling it again does nothing. graceful sends FIN
// first and leaves the close to the reader, which drains the peer's last bytes so
// that the close does not reset replies in flight; otherwise the socket is closed
// at once. It never blocks: the actors that call it must not stall.
//
// A hard shut after a graceful one closes the socket at once, cutting the
// drain short: that is how -shutdown-timeout forces connections that are
// already closing.
func (l *link) shut(graceful bool) {
	l.shutOnce.Do(func() {
		l.isClosed.Store(true)
		close(l.closed)
		if graceful {
			if cw, ok := l.conn.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
			}
			// Wake a reader blocked in Read now; it drains for lingerTimeout and closes.
			_ = l.conn.SetReadDeadline(time.Now())
		}
	})
	if !graceful {
		// Linger 0: the kernel drops what is unsent and resets the connection, so
		// a peer that does not read cannot hold megabytes of send buffer for
		// minutes after the close (a hard close is for a broken connection, a
		// forced shutdown or an output limit: nothing more is owed).
		if tc, ok := l.conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = l.conn.Close() // safe beside the reader's Read, and twice
	}
}

// Write implements protocol.Conn.
func (l *link) Write(p []byte) (int, error) {
	if l.writeTimeout > 0 {
		now := time.Now()
		if d := now.Add(l.writeTimeout); rearm(l.writeArmed, d, now) {
			_ = l.conn.SetWriteDeadline(d)
			l.writeArmed = d
		}
	}
	n, err := l.conn.Write(p)
	l.stats.Out.Add(uint64(n))
	if err != nil {
		cat := supervision.ConnectionFailed
		if errors.Is(err, os.ErrDeadlineExceeded) {
			cat = supervision.Timeout
		}
		return n, supervision.New(cat, "write", err)
	}
	return n, nil
}

// SetReadDeadline implements protocol.Conn.
func (l *link) SetReadDeadline(t time.Time) {
	if t.IsZero() {
		l.readDeadline.Store(0)
	} else {
		l.readDeadline.Store(t.UnixNano())
	}
}

// Close implements protocol.Conn.
func (l *link) Close() { l.closeRequested = true }

// ID implements protocol.Conn.
func (l *link) ID() string { return l.id }

// RemoteAddr implements protocol.Conn.
func (l *link) RemoteAddr() net.Addr { return l.conn.RemoteAddr() }

// Log implements protocol.Conn.
func (l *link) Log() *logrus.Entry { return l.log }
