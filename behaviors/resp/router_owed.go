package resp

import (
	"github.com/asynkron/protoactor-go/actor"
)

// What the shard router owes, and what a failed router answers.
//
// protoactor drops the message an actor fails on, and the batches a
// router holds (waiting for a grain's PID) or has in flight (waiting for
// the grain's answer) live in the failing instance: a connection's
// commands in any of them would go unanswered, its client waiting until
// its own timeout. So the router keeps every batch it takes in owed, from
// before anything can fail, until it is answered, and the failing
// instance (Restarting, or Stopping when its supervisor stops it for good)
// answers every batch it still owes:
//
//   - a batch never sent to its grain did not run: Redis Cluster's TRYAGAIN,
//     for a client may send it again as it is;
//   - a batch in flight may or may not have run: CLUSTERDOWN, as for a
//     grain that did not answer in time.
//
// Its continuations (a lookup's, a grain's answer) still run after that, on
// the failed instance: they find the batches paid and send nothing, so no
// batch the failed instance held reaches a grain after those its successor
// takes, and none is answered twice.

// Why a router answered what it owed.
const (
	routerRestarted = "restarted"
	routerStopped   = "stopped (it failed too often; see the server log)"
)

// owe records rt as owed an answer. owed shrinks: the batches of a burst
// (many connections' pipelines to a slow shard) would leave their buckets
// in it for the router's life.
func (r *shardRouter) owe(rt *routed) {
	r.owed.Set(rt, struct{}{})
	r.srv.shardOwed.Add(1)
}

// paid forgets rt, and says whether it was owed (and so is to be answered now).
func (r *shardRouter) paid(rt *routed) bool {
	if _, ok := r.owed.M[rt]; !ok {
		return false
	}
	r.owed.Delete(rt)
	r.srv.shardOwed.Add(-1)
	return true
}

// answerOwed answers every batch the router owes with an error saying it
// restarted or stopped (why), and forgets the batches it holds.
// (Answering deletes from owed as it walks it, and may make it anew: the
// walk goes on over the old map, and each batch is found owed once.)
func (r *shardRouter) answerOwed(ctx actor.Context, why string) {
	for rt := range r.owed.M {
		text := "TRYAGAIN the node's shard router " + why + " before it sent the command to shard " + shardName(rt.shard) + "; the command did not run"
		if rt.sent {
			text = shardDown(rt.shard, "lost its answer: the node's shard router "+why+" while the command was in flight; the command may or may not have run")
		}
		r.answer(ctx, rt, rt.failed(text))
	}
	r.waiting = [numShards][]*routed{}
}

// errRouterGone is the reply to commands for a shard router that has
// stopped for good (the session's serviceGone): the node cannot reach any
// shard until it restarts.
const errRouterGone = "CLUSTERDOWN the node's shard router has stopped: it failed too often; see the server log"
