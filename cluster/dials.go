package cluster

import (
	"context"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
)

// closeFailedDials is the stream interceptor of the connections this node
// dials to the others. Remote's endpoint writer dials a peer again on each
// retry without closing the connection it dialled before
// (remote/endpoint_writer.go, initializeInternal: state.conn is
// overwritten), and gRPC keeps reconnecting such a connection for good: with
// a member down for 6 minutes, each of its two peers held 17 and 20 of them
// (about 8 goroutines each), which all connected when it came back, and
// stayed. A writer never uses a connection again once its stream failed
// before the peer's ConnectResponse, so the connection is closed then, after
// failedDialLinger: by that time a writer that gave up has closed its last
// one itself (its Close of a closed connection would log an error).
func closeFailedDials(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		closeLater(cc)
		return nil, err
	}
	return &dialStream{ClientStream: s, cc: cc}, nil
}

// failedDialLinger is how long a failed connection is left to its writer
// before it is closed.
const failedDialLinger = 5 * time.Second

func closeLater(cc *grpc.ClientConn) {
	time.AfterFunc(failedDialLinger, func() { _ = cc.Close() })
}

// dialStream closes its connection later if it fails before the first
// message from the peer (the ConnectResponse); after that, a failure ends
// its writer, which closes the connection.
type dialStream struct {
	grpc.ClientStream
	cc       *grpc.ClientConn
	answered atomic.Bool // a message came from the peer
	closing  atomic.Bool // closeLater was called
}

func (s *dialStream) SendMsg(m any) error {
	err := s.ClientStream.SendMsg(m)
	s.failed(err)
	return err
}

func (s *dialStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == nil {
		s.answered.Store(true)
	}
	s.failed(err)
	return err
}

func (s *dialStream) failed(err error) {
	if err != nil && !s.answered.Load() && s.closing.CompareAndSwap(false, true) {
		closeLater(s.cc)
	}
}
