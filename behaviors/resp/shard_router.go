package resp

import (
	"errors"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"google.golang.org/protobuf/proto"

	"async_server/behaviors/resp/resppb"
	acluster "async_server/cluster"
	"async_server/internal/shrink"
	"async_server/messages"
)

// shardRouterName is the shard router's service name: root/services/shards.
const shardRouterName = "shards"

// shardRouter is the service that, in cluster mode, takes a connection's
// key-space batch (all of one shard: batch.Shard) and sends it, as a
// resppb.ShardBatch, to that shard's grain on whichever node hosts it, then
// answers the connection with the grain's replies. It finds a grain once
// (one activation request within -cluster-request-timeout, without
// blocking) and keeps its PID until the grain's node goes (Terminated) or a
// request to it fails; the batches that come meanwhile wait, in order. A
// connection's batches to one shard reach the grain in the order sent (one
// router, one stream per pair of nodes). Without a cluster it is idle, and
// the connections send to the key space.
//
// Every batch it takes is owed an answer until it has one (owed). When the
// router fails, or is stopped, the failing instance answers every batch it
// owes (Restarting, Stopping: router_owed.go), so no client waits on a
// router that is gone, and a batch held by the failed instance is never
// sent after those its successor takes.
type shardRouter struct {
	srv     *server
	node    *acluster.Node
	timeout time.Duration
	pids    [numShards]*actor.PID
	finding [numShards]bool
	waiting [numShards][]*routed          // batches waiting for the grain's PID
	owed    shrink.Map[*routed, struct{}] // every batch taken and not yet answered
}

// routed is one batch being routed.
type routed struct {
	to    *actor.PID // the connection
	id    uint64     // its request's ID
	shard int
	wants int  // replies its answer has
	exec  bool // EXEC's transaction: one error is its whole reply
	sent  bool // forwarded to the grain: it may have run
	msg   *resppb.ShardBatch
}

// maxCrossBytes bounds what one batch, or one answer, may carry between
// nodes (and to a shard on the same node, so that what a command may do
// does not depend on where its shard is): 768 MiB, so that a value as large
// as -proto-max-bulk-len's default (512 MB), with its command, crosses, and
// two such fit in one gRPC message under the nodes' limit
// (cluster.MaxBatchBytes, 2 GiB): remote sends what is queued for a node
// as one message, and one over the limit is lost whole. A larger one is
// refused with an error that names the limit, never lost.
const maxCrossBytes = 768 << 20

func newShardRouter(srv *server) func() actor.Actor {
	return func() actor.Actor { return &shardRouter{srv: srv} }
}

// Receive dispatches.
func (r *shardRouter) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		// Services start after the cluster and before any connection: from
		// here on the connections know whether to route by shard.
		r.node = acluster.NodeOf(ctx.ActorSystem())
		r.srv.clustered.Store(r.node != nil)
		r.timeout = r.node.Config().RequestTimeout
	case *messages.ServiceRequest:
		r.onRequest(ctx, m)
	case *actor.Restarting:
		r.answerOwed(ctx, routerRestarted)
	case *actor.Stopping:
		r.answerOwed(ctx, routerStopped)
	case *actor.Terminated:
		for i, pid := range r.pids {
			if pid != nil && pid.Equal(m.Who) {
				r.pids[i] = nil
			}
		}
	}
}

func (r *shardRouter) onRequest(ctx actor.Context, m *messages.ServiceRequest) {
	b, ok := m.Body.(*batch)
	if !ok || r.node == nil || b.Shard < 0 || b.Shard >= numShards {
		ctx.Respond(&messages.ServiceReply{ID: m.ID})
		return
	}
	// Owed from here on: a failure past this point still answers it.
	rt := &routed{to: ctx.Sender(), id: m.ID, shard: b.Shard, wants: len(b.Cmds), exec: b.Exec}
	if b.Exec {
		rt.wants++
	}
	r.owe(rt)
	rt.msg = protoOf(b)
	if size := proto.Size(rt.msg); size > maxCrossBytes {
		r.answer(ctx, rt, rt.failed("ERR request over "+strconv.Itoa(maxCrossBytes)+" bytes cannot cross the cluster"))
		return
	}
	if pid := r.pids[b.Shard]; pid != nil {
		r.forward(ctx, b.Shard, pid, rt)
		return
	}
	r.waiting[b.Shard] = append(r.waiting[b.Shard], rt)
	r.find(ctx, b.Shard)
}

// protoOf is b as the grain takes it; the arguments are copied (they share
// their read's buffer, and remote serializes later, on its own goroutine).
func protoOf(b *batch) *resppb.ShardBatch {
	m := &resppb.ShardBatch{Proto: int32(b.Proto), Exec: b.Exec, ExecLen: int32(b.ExecLen), Abort: b.Abort}
	m.Cmds = make([]*resppb.ShardCmd, len(b.Cmds))
	for i, c := range b.Cmds {
		args := make([][]byte, len(c.Args))
		for j, a := range c.Args {
			args[j] = clone(a)
		}
		m.Cmds[i] = &resppb.ShardCmd{Index: int32(c.Index), Db: int32(c.DB), Args: args}
	}
	return m
}

// find looks for shard's grain, unless a look is in flight.
func (r *shardRouter) find(ctx actor.Context, shard int) {
	if r.finding[shard] {
		return
	}
	fut := r.node.FindFuture(ctx, strconv.Itoa(shard), ShardKind)
	if fut == nil {
		r.found(ctx, shard, nil, "no member hosts the shards")
		return
	}
	r.finding[shard] = true
	ctx.ReenterAfter(fut, func(res any, err error) {
		r.finding[shard] = false
		a, _ := res.(*pcluster.ActivationResponse)
		switch {
		case err != nil:
			r.found(ctx, shard, nil, lookupFailed(err, r.timeout))
		case a == nil || a.GetFailed() || a.GetPid() == nil:
			r.found(ctx, shard, nil, "its node did not activate it")
		default:
			r.found(ctx, shard, a.GetPid(), "")
		}
	})
}

// lookupFailed says why a shard's grain was not found, in a client's terms:
// protoactor's timeout error is "future: timeout".
func lookupFailed(err error, timeout time.Duration) string {
	if errors.Is(err, actor.ErrTimeout) {
		return "no node answered its activation within " + timeout.String()
	}
	return err.Error()
}

// found sends the batches waiting for shard's grain, or answers them with
// an error (why) when it was not found; the next batch looks again.
func (r *shardRouter) found(ctx actor.Context, shard int, pid *actor.PID, why string) {
	waiting := r.waiting[shard]
	r.waiting[shard] = nil
	if pid != nil {
		r.pids[shard] = pid
		ctx.Watch(pid)
	}
	for _, rt := range waiting {
		if pid == nil {
			r.answer(ctx, rt, rt.failed(shardDown(shard, "cannot be reached ("+why+"); the command did not run")))
			continue
		}
		r.forward(ctx, shard, pid, rt)
	}
}

// forward sends rt to the grain and answers its connection once the grain
// has, or with an error at -cluster-request-timeout.
func (r *shardRouter) forward(ctx actor.Context, shard int, pid *actor.PID, rt *routed) {
	rt.sent = true
	fut := ctx.RequestFuture(pid, rt.msg, r.timeout)
	ctx.ReenterAfter(fut, func(res any, err error) {
		reply, ok := res.(*resppb.ShardReply)
		if err != nil || !ok {
			if p := r.pids[shard]; p != nil && p.Equal(pid) { // (*PID).Equal panics on a nil receiver
				r.pids[shard] = nil // look it up afresh next time
			}
			why := "did not answer within " + r.timeout.String()
			if err != nil && err != actor.ErrTimeout {
				why = "failed: " + err.Error()
			}
			r.answer(ctx, rt, rt.failed(shardDown(shard, why+"; the command may or may not have run")))
			return
		}
		ends := make([]int, len(reply.GetEnds()))
		for i, e := range reply.GetEnds() {
			ends[i] = int(e)
		}
		r.answer(ctx, rt, &batchReply{Out: reply.GetOut(), Ends: ends, Aborted: reply.GetAborted()})
	})
}

// failed is the answer to a batch that did not run (or may not have):
// every command gets text, and EXEC one error as its whole reply (an error
// for each of its commands after the array's header's would be replies
// the client never asked for).
func (rt *routed) failed(text string) *batchReply {
	if !rt.exec {
		return failedBatch(rt.wants, text)
	}
	r := failedBatch(1, text)
	r.Aborted = true
	return r
}

// answer sends a connection its batch's replies, if it is still owed them:
// a failed instance's continuations may come after it answered everything
// (answerOwed).
func (r *shardRouter) answer(ctx actor.Context, rt *routed, br *batchReply) {
	if !r.paid(rt) {
		return
	}
	ctx.Send(rt.to, &messages.ServiceReply{ID: rt.id, Body: br})
}

// shardDown is the error for a shard that cannot serve: Redis Cluster's
// CLUSTERDOWN code, with which shard and why.
func shardDown(shard int, why string) string {
	return "CLUSTERDOWN shard " + shardName(shard) + " " + why
}

// shardName is a shard's number and its slots: "5 (slots 5120-6143)".
func shardName(shard int) string {
	first, last := shard*numSlots/numShards, (shard+1)*numSlots/numShards-1
	return strconv.Itoa(shard) + " (slots " + strconv.Itoa(first) + "-" + strconv.Itoa(last) + ")"
}
