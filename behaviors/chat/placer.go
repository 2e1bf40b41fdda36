package chat

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"

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
// over the member list names, as the cluster's Node.Lookup does (and
// disthash's own Get), once, within -cluster-request-timeout, but without
// blocking: Lookup waits on the caller's goroutine, and the rooms service
// answers every connection of its node.
type disthashPlacer struct {
	cl      *cluster.Cluster
	timeout time.Duration
}

func (p disthashPlacer) Timeout() time.Duration { return p.timeout }

func (p disthashPlacer) Nodes() []string {
	ms := p.cl.MemberList.Members().Members()
	addrs := make([]string, len(ms))
	for i, m := range ms {
		addrs[i] = m.Address()
	}
	return addrs
}

func (p disthashPlacer) Find(ctx actor.Context, identity, kind string) *actor.Future {
	ci := cluster.NewClusterIdentity(identity, kind)
	rdv := cluster.NewRendezvous()
	rdv.UpdateMembers(p.cl.MemberList.Members().Members())
	owner := rdv.GetByClusterIdentity(ci)
	if owner == "" {
		return nil
	}
	activator := actor.NewPID(owner, disthash.PartitionActivatorActorName)
	return ctx.RequestFuture(activator, &cluster.ActivationRequest{ClusterIdentity: ci}, p.timeout)
}

// clusterPlacer is the rooms service's placer on a clustered node; nil
// when the node is alone.
func clusterPlacer(sys *actor.ActorSystem) placer {
	n := acluster.NodeOf(sys)
	if n == nil {
		return nil
	}
	return disthashPlacer{cl: n.Cluster(), timeout: n.Config().RequestTimeout}
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
