package actors

import (
	"errors"
	"net"
	"os"
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
// written through the net.Conn, which waits under the write deadline and
// reports the error.
func (l *link) Write(p []byte) (int, error) {
	done := l.sock.WriteNow(p)
	if done == len(p) {
		return done, l.written(done, nil)
	}
	n, err := l.writeWait(p[done:])
	return done + n, l.written(done+n, err)
}

// writeWait writes p through the net.Conn, under the write timeout: it
// fails once the peer has taken no data for that long. A write blocked past
// it is not enough to say so: the kernel wakes a blocked writer only once a
// third of the send buffer is free, which a peer that reads slowly, from a
// buffer of megabytes, may take far longer to make. So each time the
// deadline passes, the write goes on with a new one if the peer acknowledged
// anything meanwhile (the send queue, SIOCOUTQ, shrank by more than was
// written into it).
func (l *link) writeWait(p []byte) (int, error) {
	wt := l.env.cfg.WriteTimeout
	if wt > 0 && l.env.tls != nil {
		return l.writeTLS(p, wt)
	}
	nc := l.sock.NetConn()
	if wt > 0 && l.writeArmed.IsZero() {
		l.armWrite(nc, time.Now().Add(wt/writeSlices))
	}
	n, err := nc.Write(p)
	queued, since := -1, 0 // the send queue when the whole timeout was last armed, and what was written since
	for err != nil && wt > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		q := l.sock.Unacked()
		if queued >= 0 && q >= queued+since {
			break // nothing acknowledged for the whole timeout
		}
		// The deadline armed ahead has passed (the first time), or the peer
		// took data: this write has the whole timeout from now (never
		// earlier than from its start), and the next ones the short one again.
		queued, since = q, 0
		l.armWrite(nc, time.Now().Add(wt))
		var m int
		m, err = nc.Write(p[n:])
		n += m
		since += m
	}
	if err == nil && queued >= 0 {
		l.armWrite(nc, time.Now().Add(wt/writeSlices))
	}
	return n, err
}

// armWrite sets the socket's write deadline to d.
func (l *link) armWrite(nc net.Conn, d time.Time) {
	_ = nc.SetWriteDeadline(d)
	l.writeArmed = d
}

// writeTLS is Write on a TLS connection, whose first timed-out write leaves
// it unusable (crypto/tls keeps the error), so every write has its deadline
// before it starts; moving it only when it would move by more than 1/16 of
// the time it grants (netpoll.Rearm) keeps most writes off the timer.
func (l *link) writeTLS(p []byte, wt time.Duration) (int, error) {
	nc := l.sock.NetConn()
	now := time.Now()
	if d := now.Add(wt); netpoll.Rearm(l.writeArmed, d, now) {
		l.armWrite(nc, d)
	}
	return nc.Write(p)
}

// written counts n bytes out and makes err, if any, the supervision error
// Write returns.
func (l *link) written(n int, err error) error {
	l.stats.Out.Add(uint64(n))
	if err == nil {
		return nil
	}
	cat := supervision.ConnectionFailed
	if errors.Is(err, os.ErrDeadlineExceeded) {
		cat = supervision.Timeout
	}
	return supervision.New(cat, "write", err)
}
