package actors

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// The reader turns a connection's input into DataReceived messages for its
// actor, one at a time, and ends with one ReadFailed; it owns the final close
// of the socket. An idle connection must cost little (issue 9: less than a plain
// goroutine-per-connection server), so on a plain TCP connection (on Linux)
// an idle connection holds no read buffer and no goroutine. The reader's role
// is held by one party at a time:
//
//   - hot (serve): a runner (dispatch.go), while input flows. It waits for
//     input in the runtime's netpoller holding no buffer (readHot), takes one
//     from a pool to read, delivers each read to the actor, which runs right
//     there (the dispatcher runs a mailbox the reader woke on the reader),
//     waits for the ack and reads again, into the same buffer if input is
//     already there: a busy connection makes its round trips without a
//     goroutine hand-off. The runner that ran the actor's Started begins as
//     the reader (begin). After a hot spell without input (hotFor; hotForNew
//     for a new connection) the role goes cold.
//   - cold: the poller (poller_linux.go), an epoll instance with one goroutine
//     for every connection of the process. When the socket becomes readable
//     it hands the role to a runner again; when the connection's read
//     deadline passes it ends it; shut takes it back to end it.
//
// Whoever holds the role when the connection ends ends it (end): tells the
// actor, drains, closes the socket and calls Done on the Server's readers.
//
// A TLS connection reads through crypto/tls, which may hold input it has read
// from the socket but not yet returned (a second record), so readiness of the
// socket says nothing about it: its reader is one goroutine that holds its
// buffer for the connection's life (read, readHeld), as net/http's does; so
// does every connection where there is no poller.

const (
	// readBufferSize is the most one DataReceived carries. 16 KiB takes a typical
	// request or a pipelined batch in one read; the buffer is pooled, held only
	// from the read that fills it to the ack of its DataReceived.
	readBufferSize = 16 << 10

	// lingerTimeout bounds how long a gracefully closed connection keeps reading
	// (and discarding) after it sent its FIN: closing a socket with unread input
	// makes the kernel send RST, which can destroy the last reply in flight. 500 ms
	// is net/http's choice for the same problem.
	lingerTimeout = 500 * time.Millisecond

	// drainGrace and lingerMax extend a drain whose deadline passed while input
	// was still there to read (discard).
	drainGrace = 5 * time.Millisecond
	lingerMax  = 4 * lingerTimeout

	// handshakeTimeout bounds a TLS handshake: a client that does not finish it in
	// this long is closed, so it cannot hold a slot without sending a request.
	handshakeTimeout = 10 * time.Second
)

// hotFor is how long a reader that has just delivered input waits for more on
// its runner before it goes cold, once its connection has shown it is busy
// (busyReads reads): far longer than the gaps of a busy client, so that one
// seldom pays the hand-off (with 5 ms, 100 echo connections on two cores made
// 8% fewer round trips). A connection that has not, newly accepted, waits
// only hotForNew: a burst of new connections that each make a request and
// then idle holds few runners and their stacks at once (with 20 ms for all,
// 5 000 such http connections cost 0.5 KiB more each). Variables only for
// tests, which set them before a server starts.
var (
	hotFor    = 20 * time.Millisecond
	hotForNew = 2 * time.Millisecond
)

// busyReads is how many reads make a connection busy (hotFor).
const busyReads = 16

// readBuffers pools the readers' buffers (*[]byte of readBufferSize); take and
// return them with getReadBuffer and putReadBuffer.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, readBufferSize); return &b }}

// Test hooks, nil outside tests (set before a server starts, cleared after it
// is done): testHookBuffers sees every read buffer taken (+1) and returned (-1),
// testHookCooled every reader that goes cold.
var (
	testHookBuffers func(delta int)
	testHookCooled  func()
)

func getReadBuffer() *[]byte {
	if testHookBuffers != nil {
		testHookBuffers(+1)
	}
	return readBuffers.Get().(*[]byte)
}

func putReadBuffer(b *[]byte) {
	if testHookBuffers != nil {
		testHookBuffers(-1)
	}
	readBuffers.Put(b)
}

// input is the reader's state, touched only by the goroutine that holds the
// reader's role.
type input struct {
	msg     messages.DataReceived // one message serves every read: see its doc for why that is safe
	serveFn func()                // serve, made once: what the poller hands a runner
	poll    *poller               // the process's, taken at the link's making; nil: none
	fd      int32                 // the socket, for the poller
	raw     syscall.RawConn       // the socket, for the hot reader (readHot)
	readFn  func(uintptr) bool    // readSocket, made once
	n       int                   // readSocket's result
	rerr    error                 // readSocket's error
	buf     *[]byte               // the hot reader's buffer, from the pool: held from a read to its ack
	idleBy  time.Time             // the idle deadline of the next input; zero: no idle timeout
	reads   uint32                // reads delivered, up to busyReads
	armed   time.Time             // the read deadline on the socket

	// Guarded by poll.mu, touched by the poller and shut.
	cold bool  // the poller holds the role
	due  int32 // the index in the poller's deadlines; -1: not in them
}

// begin starts the reader, on the runner that ran the actor's Started, once
// that run is over (dispatch.go): this runner serves hot at once, so the first
// input costs no hand-off. The Server waits for every reader (env.readers,
// added to by the actor in Started) before it is done: the reader's last act
// is to close the socket and call Done.
func (l *link) begin() {
	ok := false
	if l.in.poll != nil {
		l.in.fd, l.in.raw, ok = socket(l.conn)
	}
	if !ok {
		go l.read()
		return
	}
	l.in.serveFn = l.serve
	l.in.idleBy = l.idleDeadline(time.Now())
	l.serve()
}

// read is the reader of a connection the poller cannot watch (TLS): one goroutine
// for the connection's life. It runs the handshake first, on this goroutine and
// never on the acceptor's, so a slow client stalls nothing but its own
// connection.
func (l *link) read() {
	if err := l.secure(); err != nil {
		l.end(err)
		return
	}
	l.in.idleBy = l.idleDeadline(time.Now())
	l.readHeld()
}

// errCooled is serveHot's report that the connection went quiet.
var errCooled = errors.New("reader cooled")

// serve is the hot reader, on a runner: it delivers what follows until the
// connection has been quiet for hotFor, and then gives the role to the poller,
// or until it ends: then it ends it (end).
func (l *link) serve() {
	err := l.serveHot()
	for err == errCooled {
		l.dropBuffer()
		if l.in.poll.watch(l) {
			return // the poller holds the role now
		}
		err = l.serveHot() // shut (it returns at once), or epoll refused: stay hot
	}
	l.dropBuffer()
	l.end(err)
}

// dropBuffer puts the hot reader's buffer back in the pool: the actor has
// acked all it was given of it (when it may not have, hand dropped it
// already).
func (l *link) dropBuffer() {
	if l.in.buf != nil {
		putReadBuffer(l.in.buf)
		l.in.buf = nil
	}
}

// serveHot is serve's loop. It returns errCooled, the read's error, or nil once
// the connection is shut. The idle deadline moves only when input has come:
// a spell that ends without any (the poller refused the socket, say, and the
// role stays hot) leaves it where it was, so the idle timeout still ends a
// silent connection.
func (l *link) serveHot() error {
	now := time.Now()
	for {
		l.armHot(now)
		if l.isShut() {
			return nil
		}
		n, err := l.readHot()
		if n > 0 && !l.deliverData((*l.in.buf)[:n]) {
			l.in.buf = nil // shut: the actor may still hold it; left to the GC
			return nil
		}
		if err != nil {
			if l.cooled(err) {
				if testHookCooled != nil {
					testHookCooled()
				}
				return errCooled
			}
			return err
		}
		l.in.reads = min(l.in.reads+1, busyReads)
		now = time.Now()
		l.in.idleBy = l.idleDeadline(now)
	}
}

// readHeld is the reader of a connection read through its net.Conn (TLS): one
// goroutine with one buffer, for the connection's life.
func (l *link) readHeld() {
	buf := make([]byte, readBufferSize) // after the handshake: a stalled one holds none
	for {
		l.arm(l.deadline(), time.Now())
		if l.isShut() {
			break
		}
		n, err := l.conn.Read(buf)
		if n > 0 && !l.deliverData(buf[:n]) {
			break
		}
		if err != nil {
			l.end(err)
			return
		}
		l.in.idleBy = l.idleDeadline(time.Now())
	}
	l.end(nil)
}

// deliverData sends data to the actor and waits for its ack. It reports false,
// having delivered nothing or without the ack, once the connection is shut.
func (l *link) deliverData(data []byte) bool {
	l.stats.In.Add(uint64(len(data)))
	if l.isShut() {
		return false
	}
	l.in.msg.Data = data
	l.dispatch.deliver(l.env.root, l.self, &l.in.msg)
	<-l.acks // almost always there: deliver ran the actor on this goroutine
	return !l.isShut()
}

// end ends the connection's reader: finish, then Done.
func (l *link) end(err error) {
	l.finish(err)
	l.env.readers.Done()
}

// peerClosed is the ReadFailed of every connection whose peer closed it: one
// message, never changed, that any number of actors may hold.
var peerClosed = &messages.ReadFailed{Err: io.EOF}

// finish ends the reader's work: after a read error it tells the actor (unless
// the connection is shut already) and waits for the shut that always follows;
// then it drains and closes the socket.
func (l *link) finish(err error) {
	if err == io.EOF {
		// The peer has sent everything and its FIN: no input can be left unread
		// at the close, so the close needs no FIN first and no drain (shut, drain).
		l.peerDone.Store(true)
	}
	if err != nil {
		if !l.isShut() {
			msg := peerClosed // most connections end so: no allocation for it
			if err != io.EOF {
				msg = &messages.ReadFailed{Err: err}
			}
			l.dispatch.deliver(l.env.root, l.self, msg)
		}
		for !l.isShut() { // the actor always stops after a ReadFailed
			<-l.acks
		}
	}
	l.drain()
}

// secure runs the TLS handshake of a TLS connection, under handshakeTimeout, and
// then tells the actor the connection is ready. A plain connection has nothing
// to do.
func (l *link) secure() error {
	tc, ok := l.conn.(*tls.Conn)
	if !ok {
		return nil
	}
	_ = tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.HandshakeContext(context.Background()); err != nil {
		l.answerPlainText(err)
		return fmt.Errorf("tls handshake: %w", err)
	}
	_ = tc.SetDeadline(time.Time{}) // arm and Write set their own from here on
	l.in.armed = time.Time{}
	l.dispatch.deliver(l.env.root, l.self, &messages.ConnectionReady{})
	return nil
}

// answerPlainText writes the behavior's reply (protocol.Setup.NotTLS) to a
// client whose handshake failed because it spoke in the clear, if the
// behavior has one for what it sent. The reply goes out under the handshake's
// deadline; the close that follows is graceful (the actor stops on the
// BadRequest, and the drain reads the socket itself: drainTLS), so unread
// input does not turn it into a reset that could destroy the reply.
func (l *link) answerPlainText(err error) {
	var re tls.RecordHeaderError
	if l.env.notTLS == nil || !errors.As(err, &re) || re.Conn == nil {
		return
	}
	if reply := l.env.notTLS(re.RecordHeader[:]); len(reply) > 0 {
		_, _ = re.Conn.Write(reply)
	}
}

// drain discards what the peer still sends until it closes or lingerTimeout
// passes, then closes the socket and frees the connection's slot: only now,
// so -max-conns bounds open sockets, not just live actors.
func (l *link) drain() {
	discarded := 0
	if !l.peerDone.Load() {
		for !l.shutDone.Load() { // shut is between a few calls that do not block
			runtime.Gosched()
		}
		conn := l.conn
		if tc, ok := conn.(*tls.Conn); ok {
			conn = drainTLS(tc)
		}
		buf := getReadBuffer() // a fresh one: the last delivered may still be in use
		discarded = discard(conn, *buf)
		putReadBuffer(buf)
	}
	_ = l.conn.Close()
	if discarded > 0 { // input that arrived after the connection began to close
		if e := l.env.failures.entry(l.Log(), logrus.InfoLevel); e != nil {
			e.WithField("bytes", discarded).Info("unread input discarded at close")
		}
	}
	freeSlot(l.slots) // last: the next connection's log lines come after this one's
}

// drainTLS half-closes a TLS connection, on its own goroutine (see shut), and
// returns what the drain reads from: after a handshake, close_notify, and
// the TLS connection; after a failed one (a client that spoke in the clear,
// answered by NotTLS, say), a FIN on the socket itself, which is then read
// directly, since crypto/tls only repeats the handshake's error.
func drainTLS(tc *tls.Conn) net.Conn {
	if tc.ConnectionState().HandshakeComplete {
		_ = tc.CloseWrite()
		return tc
	}
	sock := tc.NetConn()
	if c, ok := sock.(*net.TCPConn); ok {
		_ = c.CloseWrite()
	}
	return sock
}

// discard reads and drops what the peer of a half-closed conn still sends, until
// it closes or lingerTimeout passes, and returns how many bytes that was.
// Closing a socket with unread input makes the kernel send RST, which can
// destroy the last reply in flight.
//
// When the deadline passes it looks once more, for drainGrace, and goes on as
// long as each look finds input, up to lingerMax in all: a process short of
// CPU may not have run this goroutine for the whole lingerTimeout, and input
// that came in time must not be met with a reset. A peer that keeps sending is
// cut off at lingerMax.
func discard(conn net.Conn, buf []byte) int {
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(lingerTimeout))
	n, graced := 0, false
	for {
		k, err := conn.Read(buf)
		n += k
		if k > 0 {
			graced = false
		}
		if err == nil {
			continue
		}
		if graced || !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) >= lingerMax {
			return n
		}
		graced = true
		_ = conn.SetReadDeadline(time.Now().Add(drainGrace))
	}
}
