package clustertest

import (
	"context"
	"io"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// SendRaw connects to the node at addr as another node would (remote's gRPC
// stream) and sends it batch as it is, for tests of what a node does with
// messages it cannot read: a type it does not know, indices past the
// batch's tables. It returns once the batch is sent and the stream closed.
func SendRaw(addr string, batch *remote.MessageBatch) error {
	return SendMessages(addr, &remote.RemoteMessage{MessageType: &remote.RemoteMessage_MessageBatch{MessageBatch: batch}})
}

// SendMessages sends msgs, as they are, on one stream to the node at addr,
// as SendRaw sends a batch: for tests of messages that are not batches (an
// empty one, a ConnectRequest of a client).
func SendMessages(addr string, msgs ...*remote.RemoteMessage) error {
	conn, err := grpc.Dial(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := remote.NewRemotingClient(conn).Receive(ctx)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	// The node ends the stream once it has read everything before the close
	// (or failed on it): wait for that, so the messages have been read.
	for {
		if _, err := stream.Recv(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// UnknownBatch is a batch of one message of type typeName, which the
// receiver does not know, for target (an actor's id on the node at addr).
func UnknownBatch(addr, target, typeName string) *remote.MessageBatch {
	return &remote.MessageBatch{
		TypeNames: []string{typeName},
		Targets:   []*actor.PID{{Address: addr, Id: target}},
		Envelopes: []*remote.MessageEnvelope{{TypeId: 0, Target: 0, MessageData: []byte{0x0a, 0x01, 'x'}}},
	}
}
