package chat

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	acluster "async_server/cluster"
)

// placer finds a grain in cluster mode (a room's, GrainKind, or a nick's,
// NickKind): Find starts one attempt and returns its future, whose result is
// a *cluster.ActivationResponse (the grain's PID), or nil when no node can be
// asked. Nodes lists the members' addresses (every node runs a rooms
// service: /rooms asks them all). The rooms service waits for
// it without blocking (ReenterAfter), so a node that does not answer stalls
// no other chat command.
type placer interface {
	Find(ctx actor.Context, identity, kind string) *actor.Future
	Nodes() []string
	Timeout() time.Duration // one attempt's deadline at a grain
}

// disthashPlacer asks the placement actor of the node that rendezvous hashing
// over the member list names (the cluster's Node.FindFuture, as disthash's
// own Get), once, within -cluster-request-timeout, but without blocking:
// Node.Lookup waits on the caller's goroutine, and the rooms service answers
// every connection of its node. The node counts each request, and its
// failure, in its metrics.
type disthashPlacer struct {
	node *acluster.Node
}

func (p disthashPlacer) Timeout() time.Duration { return p.node.Config().RequestTimeout }

// Nodes reads the members under the node's lock (MemberList.Members reads
// without one, and with -etcd the list changes).
func (p disthashPlacer) Nodes() []string { return p.node.Addrs() }

func (p disthashPlacer) Find(ctx actor.Context, identity, kind string) *actor.Future {
	return p.node.FindFuture(ctx, identity, kind)
}

// clusterPlacer is the rooms service's placer on a clustered node; nil
// when the node is alone.
func clusterPlacer(sys *actor.ActorSystem) placer {
	n := acluster.NodeOf(sys)
	if n == nil {
		return nil
	}
	return disthashPlacer{node: n}
}

// foundGrain reads a placer's answer: the grain's PID, or nil.
func foundGrain(res any, err error) *actor.PID {
	if err != nil {
		return nil
	}
	if r, ok := res.(*cluster.ActivationResponse); ok && !r.GetFailed() {
		return r.GetPid()
	}
	return nil
}
