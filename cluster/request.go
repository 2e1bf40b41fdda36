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

// FindFuture starts one lookup of the grain identity of kind: an activation
// request to its owner (rendezvous hashing over the members, as disthash
// places it), within -cluster-request-timeout, sent from ctx. It does not
// block: the future's result is a *cluster.ActivationResponse; wait for it
// with ctx.ReenterAfter. It returns nil when no member hosts kind (or for a
// nil Node). The request and, once the future completes, its failure count
// in the node's metrics.
func (n *Node) FindFuture(ctx actor.SenderContext, identity, kind string) *actor.Future {
	if n == nil {
		return nil
	}
	n.view.requests.Add(1)
	ci := pcluster.NewClusterIdentity(identity, kind)
	owner := n.view.owner(ci)
	if owner == "" {
		n.view.failures.Add(1)
		return nil
	}
	f := ctx.RequestFuture(actor.NewPID(owner, disthash.PartitionActivatorActorName),
		&pcluster.ActivationRequest{ClusterIdentity: ci}, n.cfg.RequestTimeout)
	f.PipeTo(n.outcomes) // counts a failure without waiting on it here
	return f
}

// Addrs returns the members' addresses, this node's included, from the
// last topology (nil for a nil Node). Unlike MemberList.Members it takes a
// lock: with -etcd the list changes while it is read.
func (n *Node) Addrs() []string {
	if n == nil {
		return nil
	}
	ms := n.view.Members()
	addrs := make([]string, len(ms))
	for i, m := range ms {
		addrs[i] = m.Addr
	}
	return addrs
}

// outcomesName is the actor FindFuture's futures report to.
const outcomesName = "cluster-request-outcomes"

// countOutcomes is the outcomes actor: a future piped to it sends its error
// (a timeout, a dead letter) or its result; a failure is counted.
func (v *view) countOutcomes(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case error:
		v.failures.Add(1)
	case *pcluster.ActivationResponse:
		if m.GetFailed() || m.GetPid() == nil {
			v.failures.Add(1)
		}
	}
}
