package resp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/resp/resppb"
	"async_server/messages"
)

// brokerName is the pub/sub broker's service name: root/services/pubsub.
const brokerName = "pubsub"

// broker is the pub/sub service: it runs the OnBroker commands of a batch
// against its Broker, and sends published messages to the subscribed
// connections.
type broker struct {
	b   *Broker
	srv *server
}

var _ actor.Actor = (*broker)(nil)

// newBrokerService returns the service's New: every instance works on b.
func newBrokerService(b *Broker, srv *server) func() actor.Actor {
	return func() actor.Actor { return &broker{b: b, srv: srv} }
}

// Receive dispatches.
func (s *broker) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ServiceRequest:
		s.onRequest(ctx, m)
	case *resppb.Published:
		s.b.onForwarded(ctx, m) // from another node (pubsub_cluster.go)
	case *actor.Stopped:
		// A restart is Restarting, never Stopped: this is the end, the
		// supervisor's restart budget spent (or the server's shutdown, once
		// every connection has gone). SUBSCRIBE refuses from now on; the
		// subscribers, which watch the broker, hear of it (Terminated) and
		// are closed (session.brokerGone).
		s.srv.brokerStopped.Store(true)
	default:
		s.b.receive(ctx) // subscriptions, and subscribers gone (pubsub.go)
	}
}

// onRequest runs a batch of broker commands.
func (s *broker) onRequest(ctx actor.Context, m *messages.ServiceRequest) {
	b, ok := m.Body.(*batch)
	if !ok {
		ctx.Respond(&messages.ServiceReply{ID: m.ID})
		return
	}
	w := &Writer{Proto: b.Proto}
	ends := make([]int, 0, len(b.Cmds))
	for i := range b.Cmds {
		c := &b.Cmds[i]
		call := &Call{Args: c.Args, W: w, Client: ctx.Sender(), Broker: s.b, Ctx: ctx, Srv: s.srv, cmd: flat[c.Index]}
		if s.srv.metrics == nil {
			call.cmd.Run(call)
		} else {
			mark, start := w.Len(), time.Now()
			call.cmd.Run(call)
			s.srv.observeRun(call.cmd, time.Since(start), w.Len() > mark && w.buf[mark] == '-')
		}
		ends = append(ends, w.Len())
	}
	ctx.Respond(&messages.ServiceReply{ID: m.ID, Body: &batchReply{Out: w.buf, Ends: ends}})
}

// resetPubSub is RESET's part for pub/sub: unsubscribe from everything.
func (s *session) resetPubSub() { s.unsubscribeAll() }
