package chat

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
)

// placer finds a room's grain in cluster mode: Find starts one attempt and
// returns its future, whose result is a *cluster.ActivationResponse (the
// grain's PID), or nil when no node can be asked. The rooms service waits for
// it without blocking (ReenterAfter), so a node that does not answer stalls
// no other chat command.
type placer interface {
	Find(ctx actor.Context, room string) *actor.Future
}

// DefaultRequestTimeout is one attempt's deadline at a room grain (finding
// it, /who) when the cluster names none: -cluster-request-timeout's default.
const DefaultRequestTimeout = time.Second

// disthashPlacer asks the placement actor of the node that rendezvous hashing
// over the member list names, as disthash's own Get does, but once, within
// timeout, and without blocking: Cluster.Get waits on a future for a
// hard-coded 5 s on the caller's goroutine, and the rooms service answers
// every connection of its node.
type disthashPlacer struct {
	cl      *cluster.Cluster
	timeout time.Duration
}

func (p disthashPlacer) Find(ctx actor.Context, room string) *actor.Future {
	ci := cluster.NewClusterIdentity(room, GrainKind)
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
	return nil // until the cluster's accessor lands
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
