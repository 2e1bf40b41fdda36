package cluster

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
)

// Request errors, for errors.Is.
var (
	ErrNotClustered = errors.New("cluster: not clustered")
	ErrNoOwner      = errors.New("cluster: no member hosts the grain's kind")
	ErrNoActivation = errors.New("cluster: the owner did not activate the grain")
)

// Request sends msg (a protobuf message: remote carries nothing else) to the
// grain identity of kind and returns its answer. It makes one attempt, within
// -cluster-request-timeout in all, the owner's activation included; protoactor's
// Cluster.Request makes three, each with the full timeout, and its lookup waits
// a fixed 5 s. A request that gets no answer may still have been applied:
// put a request ID in msg where a duplicate would matter.
//
// It blocks: call it from a goroutine of its own or a test, never from an
// actor's Receive (a grain or a service would stall its mailbox).
func (n *Node) Request(identity, kind string, msg any) (any, error) {
	if n == nil {
		return nil, ErrNotClustered
	}
	n.view.requests.Add(1)
	reply, err := n.request(identity, kind, msg, time.Now().Add(n.cfg.RequestTimeout))
	if err != nil {
		n.view.failures.Add(1)
	}
	return reply, err
}

func (n *Node) request(identity, kind string, msg any, deadline time.Time) (any, error) {
	pid, err := n.Lookup(identity, kind, time.Until(deadline))
	if err != nil {
		return nil, err
	}
	reply, err := n.c.ActorSystem.Root.RequestFuture(pid, msg, time.Until(deadline)).Result()
	if errors.Is(err, actor.ErrDeadLetter) { // the grain has gone: look it up afresh next time
		n.c.PidCache.RemoveByValue(identity, kind, pid)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: request to %s/%s: %w", kind, identity, err)
	}
	return reply, nil
}

// Lookup returns the PID of the grain identity of kind, activating it on its
// owner (by rendezvous hashing over the members, as disthash places it) if it
// is not active, within timeout. A PID it found before is cached until the
// grain stops or its node leaves.
func (n *Node) Lookup(identity, kind string, timeout time.Duration) (*actor.PID, error) {
	if n == nil {
		return nil, ErrNotClustered
	}
	if pid, ok := n.c.PidCache.Get(identity, kind); ok {
		return pid, nil
	}
	ci := pcluster.NewClusterIdentity(identity, kind)
	owner := n.view.owner(ci)
	if owner == "" {
		return nil, fmt.Errorf("%w: %s", ErrNoOwner, kind)
	}
	activator := actor.NewPID(owner, disthash.PartitionActivatorActorName)
	res, err := n.c.ActorSystem.Root.RequestFuture(activator, &pcluster.ActivationRequest{ClusterIdentity: ci}, timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("cluster: activating %s/%s on %s: %w", kind, identity, owner, err)
	}
	resp, ok := res.(*pcluster.ActivationResponse)
	if !ok || resp.Pid == nil {
		return nil, fmt.Errorf("%w: %s/%s on %s", ErrNoActivation, kind, identity, owner)
	}
	n.c.PidCache.Set(identity, kind, resp.Pid)
	return resp.Pid, nil
}
