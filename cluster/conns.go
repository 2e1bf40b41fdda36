package cluster

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
)

// MaxNodeConns bounds the connections open to -node-addr at once. A peer
// needs one (remote's endpoint writer: one connection, one stream), and one
// more for a while when it reconnects; anything else is not a peer. Without
// it a client that began HTTP/2 and went silent held its connection for good:
// 2000 of them cost a node 6000 goroutines, 60 MB of RSS and 2000
// descriptors, and enough of them would have taken every descriptor the
// node's client listeners need.
const MaxNodeConns = 256

// MaxNodeStreams bounds the streams one connection to -node-addr may have
// open at once (HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS; gRPC's default is
// none): a peer uses one.
const MaxNodeStreams = 4

// connIdleTimeout closes a connection to -node-addr that has had no stream
// for this long (gRPC's MaxConnectionIdle; none by default): a peer's
// connection carries its stream for its whole life, so one without is not
// a peer's, or is one protoactor forgot (dials.go). Each would hold
// one of the MaxNodeConns for good.
const connIdleTimeout = 10 * time.Second

// connLimit is the transport security of the node's remote server: none, as
// remote's own (insecure), but a connection past MaxNodeConns open is closed
// in its handshake, before gRPC spends anything on it. The connections open
// are counted by their stats events (ConnBegin, ConnEnd), which gRPC sends
// whichever way a connection ends.
type connLimit struct {
	credentials.TransportCredentials
	max     int64
	log     *logrus.Entry
	open    atomic.Int64
	refused atomic.Int64
	lastLog atomic.Int64 // when the last refusal was logged (UnixNano)
}

func newConnLimit(max int64, log *logrus.Entry) *connLimit {
	return &connLimit{TransportCredentials: insecure.NewCredentials(), max: max, log: log}
}

var errTooManyConns = errors.New("too many connections to -node-addr")

func (l *connLimit) ServerHandshake(c net.Conn) (net.Conn, credentials.AuthInfo, error) {
	if l.open.Load() >= l.max {
		n := l.refused.Add(1)
		// Logged at most once per windowLogEvery: a flood must not fill the log.
		now, last := time.Now().UnixNano(), l.lastLog.Load()
		if now-last >= int64(windowLogEvery) && l.lastLog.CompareAndSwap(last, now) {
			l.log.WithFields(logrus.Fields{"from": c.RemoteAddr().String(), "open": l.open.Load(), "refused_total": n}).
				Warn("cluster: refused a connection to -node-addr: too many open")
		}
		return nil, nil, errTooManyConns
	}
	return l.TransportCredentials.ServerHandshake(c)
}

// Clone shares the counts: gRPC clones the credentials it is given.
func (l *connLimit) Clone() credentials.TransportCredentials { return l }

// TagConn, HandleConn, TagRPC and HandleRPC make connLimit the server's
// stats.Handler, which counts the connections open.
func (l *connLimit) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (l *connLimit) HandleConn(_ context.Context, s stats.ConnStats) {
	switch s.(type) {
	case *stats.ConnBegin:
		l.open.Add(1)
	case *stats.ConnEnd:
		l.open.Add(-1)
	}
}

func (l *connLimit) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (l *connLimit) HandleRPC(context.Context, stats.RPCStats)                       {}
