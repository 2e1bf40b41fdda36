package actors

import (
	"crypto/tls"
	"net"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/internal/netpoll"
)

const (
	// rejectLimit bounds the rejections in flight per listener: each holds a
	// goroutine and a socket for up to a few seconds, so a flood of clients at
	// the limit could otherwise make them without bound. Past it a client is
	// closed without a reply: a connect flood (10 000 fast connects that sent
	// nothing, each reply waiting its second for the request) had 128 of 8 976
	// rejected clients read the reply. 64 answers a burst of clients at once
	// while costing less than a tenth of the default -max-conns in sockets.
	rejectLimit = 64

	// rejectTimeout bounds each wait of a rejection: on a TLS listener for the
	// handshake, then for the client's first bytes (protocol.Busy.AfterInput)
	// and for the reply's write. A busy reply is a few
	// hundred bytes, which any socket buffer takes at once; a client that has not
	// taken it in a second is not reading.
	rejectTimeout = time.Second

	// rejectLogEvery is the least time between two "clients rejected" log lines:
	// a flood of clients makes one line a second, with a count, not one a client.
	rejectLogEvery = time.Second
)

// rejecter turns clients away at the connection limit (-at-limit reject) for
// one accept loop. The loop calls reject for each; a goroutine per client writes
// the behavior's busy reply and closes, so the loop never writes to a socket
// (Confinement) and a client that does not read holds only its own goroutine.
// On a TLS listener the reply goes through TLS: the same goroutine runs the
// handshake first, so a TLS client can read it (in plain text it could not).
// The loop calls close as it exits: in-flight rejections are cut short and the
// count not yet logged is logged. Every goroutine it starts (rejections, the
// log timer) is counted in wg, the Server's readers, so the Server is not done
// before they have ended.
type rejecter struct {
	reply      []byte
	afterInput bool
	tls        *tls.Config // the listener's; nil for plain TCP
	wg         *sync.WaitGroup
	log        *logrus.Entry
	counted    func()        // tells the observatory of each rejection
	inFlight   chan struct{} // a slot per rejection in flight; capacity rejectLimit

	mu         sync.Mutex
	conns      map[net.Conn]struct{} // the sockets of rejections in flight
	closed     bool                  // after close: nothing more starts
	unreported int                   // rejections not yet in a log line
	unanswered int                   // of those, the ones closed without the busy reply
	total      int                   // rejections since the loop started
	lastLog    time.Time             // when the last line was logged
	timer      *time.Timer           // the pending log line; nil when none
}

// newRejecter returns the rejecter of an accept loop whose behavior says busy.
// counted is called for each rejection; tlsConfig is the listener's TLS, nil
// for plain TCP.
func newRejecter(busy protocol.Busy, tlsConfig *tls.Config, wg *sync.WaitGroup, log *logrus.Entry, counted func()) *rejecter {
	reply := busy.Reply
	if reply == nil {
		reply = protocol.DefaultBusyReply
	}
	return &rejecter{reply: reply, afterInput: busy.AfterInput, tls: tlsConfig, wg: wg, log: log, counted: counted,
		inFlight: make(chan struct{}, rejectLimit), conns: make(map[net.Conn]struct{})}
}

// reject turns conn away: with the busy reply from a goroutine of its own, or,
// with rejectLimit rejections already in flight, by closing it at once (the
// log line counts those as "unanswered"). Only the accept loop calls it, and
// never after close.
func (r *rejecter) reject(conn net.Conn) {
	answered := takeSlot(r.inFlight)
	r.count(answered)
	if !answered {
		_ = conn.Close()
		return
	}
	r.mu.Lock()
	r.conns[conn] = struct{}{}
	r.mu.Unlock()
	r.wg.Add(1)
	go r.turnAway(conn)
}

// turnAway writes the busy reply to conn and closes it gracefully, as a
// connection's reader does (link.drain): FIN first, then discard, so that the
// close does not reset the connection and destroy the reply in flight. On a
// TLS listener the handshake comes first, and a client that does not finish
// it in rejectTimeout is closed without the reply. It exits when conn is
// closed, at most 3*rejectTimeout+lingerMax after it started.
func (r *rejecter) turnAway(conn net.Conn) {
	defer r.wg.Done()
	defer freeSlot(r.inFlight)
	sock := conn // what r.conns and close know: closing it ends any wait below
	defer func() {
		r.mu.Lock()
		delete(r.conns, sock)
		r.mu.Unlock()
		_ = sock.Close()
	}()
	if r.tls != nil {
		tc := tls.Server(conn, r.tls)
		_ = tc.SetDeadline(time.Now().Add(rejectTimeout))
		if err := tc.Handshake(); err != nil {
			return
		}
		_ = tc.SetDeadline(time.Time{})
		conn = tc
	}
	var buf [1024]byte
	if r.afterInput {
		_ = conn.SetReadDeadline(time.Now().Add(rejectTimeout))
		_, _ = conn.Read(buf[:]) // the request, EOF or the deadline: reply either way
	}
	if len(r.reply) > 0 {
		_ = conn.SetWriteDeadline(time.Now().Add(rejectTimeout))
		_, _ = conn.Write(r.reply)
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	netpoll.Discard(conn, buf[:])
}

// count counts one rejection, answered with the busy reply or not, and makes
// sure a log line will report it: at once if none was logged in the last
// rejectLogEvery, else when that much has passed.
func (r *rejecter) count(answered bool) {
	r.counted()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unreported++
	r.total++
	if !answered {
		r.unanswered++
	}
	if r.timer != nil || r.closed {
		return
	}
	r.wg.Add(1)
	r.timer = time.AfterFunc(time.Until(r.lastLog.Add(rejectLogEvery)), func() {
		defer r.wg.Done()
		r.report()
	})
}

// report logs the rejections not yet logged, if any.
func (r *rejecter) report() {
	r.mu.Lock()
	n, unanswered, total := r.unreported, r.unanswered, r.total
	r.unreported, r.unanswered, r.timer, r.lastLog = 0, 0, nil, time.Now()
	r.mu.Unlock()
	if n > 0 {
		r.log.WithFields(logrus.Fields{"rejected": n, "unanswered": unanswered, "total": total}).
			Warn("clients rejected at the connection limit")
	}
}

// close ends the rejecter as its accept loop exits (the listener is closing):
// the rejections in flight are cut short by closing their sockets, the pending
// log line is written now rather than in up to a second, and the rejection
// goroutines end on their own at once. Calling it twice is harmless.
func (r *rejecter) close() {
	r.mu.Lock()
	r.closed = true
	for c := range r.conns {
		_ = c.Close()
	}
	if r.timer != nil && r.timer.Stop() { // it will not run: its Done is ours
		r.timer = nil
		r.wg.Done()
	}
	r.mu.Unlock()
	r.report()
}
