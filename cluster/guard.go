package cluster

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/remote"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"async_server/cluster/clusterpb"
)

// guard returns the gRPC stream interceptor of the node's remote server: it
// reads every batch of messages another node sends before remote does, and
// drops each envelope remote would crash on (dropped counts them):
//
//   - a type this binary does not know: remote's proto serializer
//     dereferences the nil it finds for it (the process dies);
//   - a type, sender or target index past the batch's tables, or a
//     serializer that does not exist: an index out of range.
//
// It also keeps the send windows (window.go): it counts the peer's
// Forwarded messages, puts each one's message back in the batch in its
// place, and acknowledges them (ack) every ackEvery bytes; and it takes the
// peer's WindowAcks out of the batch, applying them to the peer's window in
// win. The peer is the address the stream's ConnectRequest gives.
//
// A panic in the stream's handler that gets past it ends that stream with an
// error (the peer reconnects), not the process: gRPC recovers none.
func guard(log *logrus.Entry, dropped *atomic.Int64, win *windows, ack func(addr string, bytes int64)) grpc.StreamServerInterceptor {
	lines := &lineBudget{}
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if ok, unlogged := lines.take(time.Now()); ok {
					log.WithFields(logrus.Fields{"panic": capText(fmt.Sprint(r)), "unlogged": unlogged}).Error("cluster: a peer's stream failed; closed it")
				}
				err = fmt.Errorf("stream failed: %v", r)
			}
		}()
		return handler(srv, &guardedStream{ServerStream: ss, log: log, lines: lines, dropped: dropped, win: win, ack: ack})
	}
}

// guardedStream filters what RecvMsg returns (a *remote.RemoteMessage).
type guardedStream struct {
	grpc.ServerStream
	log     *logrus.Entry
	dropped *atomic.Int64
	lines   *lineBudget // the node's lines for what peers send
	win     *windows
	ack     func(addr string, bytes int64)
	from    string // the peer's address, from its ConnectRequest; "" before it
	unacked int64  // bytes of the peer's Forwarded messages not yet acknowledged
}

func (s *guardedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	msg, ok := m.(*remote.RemoteMessage)
	if !ok {
		return nil
	}
	for why := idleMessage(msg); why != ""; why = idleMessage(msg) {
		s.drop(1, why)
		if err := s.ServerStream.RecvMsg(m); err != nil {
			return err
		}
	}
	if c := msg.GetConnectRequest().GetServerConnection(); c != nil {
		s.from = c.GetAddress()
	}
	if b := msg.GetMessageBatch(); b != nil {
		s.unwrap(b)
		if n, why := filterBatch(b); n > 0 {
			s.drop(n, why)
		}
	}
	if s.unacked >= ackEvery && s.from != "" {
		s.ack(s.from, s.unacked)
		s.unacked = 0
	}
	return nil
}

// drop counts n messages dropped, and logs why while the node's budget of
// lines allows.
func (s *guardedStream) drop(n int, why string) {
	s.dropped.Add(int64(n))
	if ok, unlogged := s.lines.take(time.Now()); ok {
		s.log.WithFields(logrus.Fields{"dropped": n, "why": capText(why), "unlogged": unlogged}).Warn("cluster: dropped messages a peer sent")
	}
}

// idleMessage says why remote would do nothing with msg but log a line
// (a warning or an error, each time: a peer sending 5-byte empty messages
// wrote 108 bytes of log for each, 10 MB for 100 000), or "" when remote
// acts on it: a batch, or a ConnectRequest of a server (another node).
func idleMessage(msg *remote.RemoteMessage) string {
	switch t := msg.GetMessageType().(type) {
	case *remote.RemoteMessage_MessageBatch:
		return ""
	case *remote.RemoteMessage_ConnectRequest:
		if t.ConnectRequest.GetServerConnection() != nil {
			return ""
		}
		return "a ConnectRequest that is not a server's"
	case nil:
		return "an empty message"
	default:
		return fmt.Sprintf("a %T, which a node does not take", t)
	}
}

// refuseUnary is the gRPC unary interceptor of the node's remote server:
// remote serves none of its unary methods (ListProcesses and
// GetProcessDiagnostics panic "implement me", and gRPC recovers no panic:
// one call from any client of -node-addr ended the process), so every
// unary call is refused before its handler runs.
func refuseUnary(_ context.Context, _ any, info *grpc.UnaryServerInfo, _ grpc.UnaryHandler) (any, error) {
	return nil, status.Errorf(codes.Unimplemented, "%s is not served", info.FullMethod)
}

// unwrap puts each Forwarded message of b back in its place as the message
// it carries (counting its bytes for the acknowledgement), and takes every
// WindowAck out of b, applying it to the peer's window. A Forwarded it
// cannot read becomes an empty envelope, and any other envelope it cannot
// read is left as it is: filterBatch drops both, counted.
func (s *guardedStream) unwrap(b *remote.MessageBatch) {
	kept := b.Envelopes[:0]
	for _, e := range b.Envelopes {
		if e == nil || e.SerializerId != protoSerializer || e.TypeId < 0 || int(e.TypeId) >= len(b.TypeNames) {
			kept = append(kept, e)
			continue
		}
		switch b.TypeNames[e.TypeId] {
		case windowAckName:
			var a clusterpb.WindowAck
			if err := proto.Unmarshal(e.MessageData, &a); err == nil {
				if p := s.win.lookup(s.from); p != nil {
					p.ack(int64(min(a.GetBytes(), uint64(math.MaxInt64))))
				}
			}
			continue
		case forwardedName:
			var f clusterpb.Forwarded
			if err := proto.Unmarshal(e.MessageData, &f); err != nil || f.GetType() == "" {
				e = nil // no actor knows Forwarded: filterBatch drops it, counted
				break
			}
			s.unacked += int64(len(f.GetData())) + forwardOverhead
			e.MessageData, e.TypeId = f.GetData(), typeIndex(b, f.GetType())
		}
		kept = append(kept, e)
	}
	clear(b.Envelopes[len(kept):])
	b.Envelopes = kept
}

// typeIndex returns name's index in b's type names, adding it if missing.
func typeIndex(b *remote.MessageBatch, name string) int32 {
	for i, n := range b.TypeNames {
		if n == name {
			return int32(i)
		}
	}
	b.TypeNames = append(b.TypeNames, name)
	return int32(len(b.TypeNames) - 1)
}

// filterBatch removes from b every envelope remote could not read safely,
// and returns how many it removed and why the first was.
func filterBatch(b *remote.MessageBatch) (int, string) {
	kept := b.Envelopes[:0]
	var why string
	for _, e := range b.Envelopes {
		if reason := badEnvelope(b, e); reason != "" {
			if why == "" {
				why = reason
			}
			continue
		}
		kept = append(kept, e)
	}
	n := len(b.Envelopes) - len(kept)
	clear(b.Envelopes[len(kept):])
	b.Envelopes = kept
	return n, why
}

// Serializer IDs remote registers at this version: 0 protobuf, 1 JSON.
const (
	protoSerializer = 0
	jsonSerializer  = 1
)

// badEnvelope says why remote could not read e, or "" when it can.
func badEnvelope(b *remote.MessageBatch, e *remote.MessageEnvelope) string {
	switch {
	case e == nil:
		return "empty envelope"
	case e.TypeId < 0 || int(e.TypeId) >= len(b.TypeNames):
		return fmt.Sprintf("type index %d past %d type names", e.TypeId, len(b.TypeNames))
	case e.Target < 0 || int(e.Target) >= len(b.Targets) || b.Targets[e.Target] == nil:
		return fmt.Sprintf("target index %d past %d targets", e.Target, len(b.Targets))
	case e.Sender < 0 || int(e.Sender) > len(b.Senders) || e.Sender > 0 && b.Senders[e.Sender-1] == nil:
		return fmt.Sprintf("sender index %d past %d senders", e.Sender, len(b.Senders))
	case e.SerializerId != protoSerializer && e.SerializerId != jsonSerializer:
		return fmt.Sprintf("unknown serializer %d", e.SerializerId)
	}
	name := b.TypeNames[e.TypeId]
	if e.SerializerId == protoSerializer {
		if _, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name)); err != nil {
			return "unknown message type " + name
		}
	}
	return ""
}

// capText cuts a peer-controlled text to maxText bytes for the log.
func capText(s string) string {
	const maxText = 120
	if len(s) > maxText {
		return s[:maxText] + "..."
	}
	return s
}
