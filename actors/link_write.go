package actors

import (
	"crypto/tls"
	"errors"
	"math"
	"math/bits"
	"net"
	"os"
	"sync/atomic"
	"time"

	"async_server/internal/netpoll"
	"async_server/supervision"
)

// writeSlices is how finely a plain socket's write deadline is kept: it is
// armed writeTimeout/writeSlices ahead and moved only when it has passed, so
// that a write costs no clock read and no timer update (on a busy
// connection, one write in every writeTimeout/16 of activity finds it passed
// and moves it). A write that finds it passed gets the whole write timeout
// from then on, so a write fails only after it has been blocked for at least
// the write timeout, and at most writeTimeout/writeSlices later than that
// (the deadline it first found was armed at most that far ahead of it).
const writeSlices = 16

// Write implements protocol.Conn. Most writes go whole at once, with one
// raw write (netpoll.Conn.WriteNow); what the socket does not take then is
// written under the write timeout (timedWrite): through the net.Conn, or,
// over TLS, through crypto/tls, whose records go to the socket through
// tlsSocket, which keeps the timeout.
func (l *link) Write(p []byte) (int, error) {
	done := l.sock.WriteNow(p)
	if done == len(p) {
		return done, l.written(done, nil)
	}
	nc, wt, rate := l.sock.NetConn(), l.env.cfg.WriteTimeout, l.env.cfg.MinSendRate
	var n int
	var err error
	if tc, ok := nc.(*tls.Conn); ok {
		if ts, ok := tc.NetConn().(*tlsSocket); ok {
			ts.timeout.Store(int64(wt))
			ts.minRate.Store(rate)
		}
		n, err = tc.Write(p[done:])
	} else {
		n, err = timedWrite(nc, p[done:], wt, rate, &l.writeArmed)
	}
	return done + n, l.written(done+n, err)
}

// timedWrite writes p to socket nc under the write timeout wt (0: none): it
// fails once the peer has taken no data, or too little, for that long. A
// write blocked past it is not enough to say so: the kernel wakes a blocked
// writer only once a third of the send buffer is free, which a peer that
// reads slowly, from a buffer of megabytes, may take far longer to make. So
// each time the deadline passes, the write goes on with a new one if the
// peer kept up minRate meanwhile (keptUp: the send queue, SIOCOUTQ, shrank
// by that much more than was written into it). armed is the deadline on the
// socket (zero: none yet), which only the writer moves.
func timedWrite(nc net.Conn, p []byte, wt time.Duration, minRate int64, armed *time.Time) (int, error) {
	if wt > 0 && armed.IsZero() {
		armWrite(nc, armed, time.Now().Add(wt/writeSlices))
	}
	n, err := nc.Write(p)
	queued, since := -1, 0 // the send queue when the whole timeout was last armed, and what was written since
	for err != nil && wt > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		q := netpoll.Unacked(nc)
		if queued >= 0 && !keptUp(queued+since-q, queued, wt, minRate) {
			break // too little acknowledged for the whole timeout
		}
		// The deadline armed ahead has passed (the first time), or the peer
		// kept up: this write has the whole timeout from now (never
		// earlier than from its start), and the next ones the short one again.
		queued, since = q, 0
		armWrite(nc, armed, time.Now().Add(wt))
		var m int
		m, err = nc.Write(p[n:])
		n += m
		since += m
	}
	if err == nil && queued >= 0 {
		armWrite(nc, armed, time.Now().Add(wt/writeSlices))
	}
	return n, err
}

// keptUp reports whether a peer that acknowledged acked bytes during a
// write timeout wt, with queued bytes in the send queue when it began, kept
// up the minimum rate (Config.MinSendRate): at least minRate × wt bytes, or
// all that was queued if that was less, and at least one byte; with minRate
// 0, any byte. Without the rate a peer that reads a byte now and then (one
// each window would do) held its connection, its slot and the output queued
// for it for ever: a slowloris of the output side.
func keptUp(acked, queued int, wt time.Duration, minRate int64) bool {
	if acked <= 0 {
		return false
	}
	if minRate <= 0 {
		return true
	}
	return int64(acked) >= min(int64(queued), bytesAt(minRate, wt))
}

// bytesAt is how many bytes rate bytes a second makes in d (d >= 0, rate >
// 0), exact: rate × d in nanoseconds would overflow past 9 GB. Past an int64
// it is math.MaxInt64.
func bytesAt(rate int64, d time.Duration) int64 {
	hi, lo := bits.Mul64(uint64(rate), uint64(d))
	if hi >= uint64(time.Second) {
		return math.MaxInt64
	}
	n, _ := bits.Div64(hi, lo, uint64(time.Second))
	return int64(min(n, math.MaxInt64))
}

// armWrite sets the socket's write deadline to d.
func armWrite(nc net.Conn, armed *time.Time, d time.Time) {
	_ = nc.SetWriteDeadline(d)
	*armed = d
}

// tlsSocket is the TCP connection under a TLS one (conns.go makes the
// tls.Conn over it): crypto/tls writes its records through it, and it keeps
// the write timeout and its minimum rate as timedWrite does for a plain
// socket, so that crypto/tls never sees a write time out while the peer
// still keeps up (a tls.Conn whose write timed out can write no more: it
// keeps the error). Until the link's first write sets timeout, and once
// crypto/tls sets a deadline of its own (SetWriteDeadline), writes pass
// through under whatever deadline is on the socket (the handshake's,
// close_notify's). armed is touched only by Write, and crypto/tls makes one
// write at a time (its output lock), so it needs no lock of its own.
type tlsSocket struct {
	net.Conn
	timeout atomic.Int64 // the write timeout, a time.Duration; 0: none yet
	minRate atomic.Int64 // the least bytes a second the peer must take (Config.MinSendRate)
	armed   time.Time
}

func (s *tlsSocket) Write(p []byte) (int, error) {
	return timedWrite(s.Conn, p, time.Duration(s.timeout.Load()), s.minRate.Load(), &s.armed)
}

// SetWriteDeadline is crypto/tls's own deadline, never the link's (the
// socket keeps that itself, timedWrite): its close_notify (tls.Conn's
// CloseWrite, Close) goes out under one 5 s ahead, lest it block for ever
// on a peer that does not read. It holds as set: the write timeout is off
// until the link's next write sets it again (which then finds the tls.Conn
// shut). Extended by the write timeout, as the socket's own deadlines are,
// it held a graceful close to such a peer 5 s + -write-timeout. It leaves
// armed alone: crypto/tls calls it before it takes its output lock (the
// reader's drain, while the actor may be writing), and with the timeout
// off no write reads armed.
func (s *tlsSocket) SetWriteDeadline(t time.Time) error {
	s.timeout.Store(0)
	return s.Conn.SetWriteDeadline(t)
}

// NetConn is the TCP connection, as tls.Conn's NetConn is tlsSocket:
// netpoll.TCP reaches the socket through both.
func (s *tlsSocket) NetConn() net.Conn { return s.Conn }

// written counts n bytes out and makes err, if any, the supervision error
// Write returns. A write that timed out marks the link: its peer takes no
// data (or too little: timedWrite), so whatever ends the connection closes
// it hard (connActor's Stopping), with no drain and no close_notify, which
// only held the socket and its slot for a peer known not to read them.
func (l *link) written(n int, err error) error {
	l.stats.Out.Add(uint64(n))
	if err == nil {
		return nil
	}
	cat := supervision.ConnectionFailed
	if errors.Is(err, os.ErrDeadlineExceeded) {
		cat = supervision.Timeout
		l.writeTimedOut = true
	}
	return supervision.New(cat, "write", err)
}
