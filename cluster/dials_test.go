package cluster

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
)

// TestCloseFailedDials ensures a connection this node dialled is closed once
// its stream fails before the peer answered, whether the stream could not
// be made or failed after: remote's endpoint writer dials again on each
// retry and never closes the connection it leaves, which gRPC then
// reconnected for good (17 and 20 on the two peers of a member down 6
// minutes). A stream the peer answered leaves its connection to its writer.
func TestCloseFailedDials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there: as a peer that is down
	dial := func() *grpc.ClientConn {
		cc, err := grpc.Dial(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cc.Close() })
		return cc
	}
	down := errors.New("the peer is down")
	desc := &grpc.StreamDesc{StreamName: "Receive", ServerStreams: true, ClientStreams: true}

	noStream := dial()
	_, err = closeFailedDials(context.Background(), desc, noStream, "/m", func(context.Context, *grpc.StreamDesc, *grpc.ClientConn, string, ...grpc.CallOption) (grpc.ClientStream, error) {
		return nil, down
	})
	if err != down {
		t.Fatalf("closeFailedDials = %v; want the streamer's error", err)
	}
	unanswered, answered := dial(), dial()
	for _, cc := range []*grpc.ClientConn{unanswered, answered} {
		s, err := closeFailedDials(context.Background(), desc, cc, "/m", func(context.Context, *grpc.StreamDesc, *grpc.ClientConn, string, ...grpc.CallOption) (grpc.ClientStream, error) {
			return &fakeStream{answers: cc == answered}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if cc == answered {
			if err := s.RecvMsg(nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecvMsg(nil); err == nil {
			t.Fatal("the fake stream's failure was lost")
		}
	}
	for _, cc := range []*grpc.ClientConn{noStream, unanswered} {
		waitShutdown(t, cc)
	}
	if s := answered.GetState(); s == connectivity.Shutdown {
		t.Error("the connection of a stream the peer answered was closed; want it left to its writer")
	}
}

// waitShutdown waits until cc is closed, for at most 10 s.
func waitShutdown(t *testing.T, cc *grpc.ClientConn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for s := cc.GetState(); s != connectivity.Shutdown; s = cc.GetState() {
		if !cc.WaitForStateChange(ctx, s) {
			t.Fatalf("the connection is %v; want it closed", s)
		}
	}
}

// fakeStream answers one RecvMsg if answers, then fails.
type fakeStream struct {
	grpc.ClientStream
	answers bool
}

func (f *fakeStream) RecvMsg(any) error {
	if f.answers {
		f.answers = false
		return nil
	}
	return errors.New("the stream broke")
}
