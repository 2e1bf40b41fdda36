package resp

import (
	"fmt"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/resp/resppb"
)

// ShardKind is the cluster kind of a key-space shard in cluster mode: one
// grain per shard (its identity the shard's number, "0" to "15"), placed by
// the cluster on one node, holding the keys of its slots (slot.go) in a
// Store of its own and running the commands on them as the key space does
// on one node: one after the other, each batch (and EXEC) atomic.
//
// Its Store lives in the grain instance: a grain whose node dies comes
// back, on the next request once a node hosts it again, empty, as a Redis
// Cluster primary without a replica does. A command that panics is
// answered with an error, as in the key space, and the grain goes on with
// its Store (the key space's restart keeps its Store too).
//
// It takes resppb.ShardBatch from a node's shard router (shard_router.go)
// and answers resppb.ShardReply. Blocking commands never park here (the
// connection refuses them in cluster mode; one that gets here answers as
// at its timeout), and WATCH is refused on the connection, so no client
// state is kept: each batch runs and is answered at once.
const ShardKind = "respshard"

// shardGrain is one shard: a keySpace over its own Store, driven batch by
// batch.
type shardGrain struct {
	k *keySpace
}

// newShardKind returns the kind, its grains sharing srv (settings, stats).
func newShardKind(srv *server) *cluster.Kind {
	return cluster.NewKind(ShardKind, actor.PropsFromProducer(func() actor.Actor {
		st := NewStore(srv.cfg)
		st.node = &srv.shardMem
		return &shardGrain{k: &keySpace{st: st, srv: srv}}
	}))
}

// Receive dispatches.
func (g *shardGrain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *resppb.ShardBatch:
		// Settled before the answer: a DBSIZE or INFO sent after a reply
		// counts what the command did.
		r := g.run(ctx, m)
		g.settled()
		ctx.Respond(r)
	case *expireTick:
		g.k.activeExpire()
		g.k.armTick(ctx)
		g.settled()
	case *evictMore: // the evictions a command left (evict.go), or another shard's ask
		g.evictMore(ctx)
	case *actor.Started:
		g.k.armTick(ctx)
		g.k.srv.shardMem.grains.Store(ctx.Self().Id, ctx.Self())
	case *actor.Restarting, *actor.Stopping:
		// The Store goes with this instance: out of the node's sums.
		g.k.stopTimers()
		g.k.st.unpublish()
		g.k.srv.shardMem.grains.Delete(ctx.Self().Id)
	}
}

// evictMore evicts while the node is over -maxmemory: more of what a
// command left, or what another shard of the node asked for. It never asks
// the others in turn (keySpace.makeRoom would): two shards with nothing to
// evict must not ask each other back and forth.
func (g *shardGrain) evictMore(ctx actor.Context) {
	g.k.evicting = false
	g.k.st.now = time.Now().UnixMilli()
	if g.k.st.makeRoom() == roomEvicting {
		g.k.evicting = true
		ctx.Send(ctx.Self(), &evictMore{})
	}
	g.settled()
}

// settled publishes the Store's data into the node's sums, and whether the
// node is now over -maxmemory with nothing to evict (MULTI's refusal).
func (g *shardGrain) settled() {
	g.k.st.publish()
	g.k.srv.oom.Store(g.k.stuck())
}

// run runs a batch and returns its answer.
func (g *shardGrain) run(ctx actor.Context, m *resppb.ShardBatch) *resppb.ShardReply {
	b, bad := batchOf(m)
	j := &job{client: ctx.Self(), id: m.GetId(), b: b, w: Writer{Proto: b.Proto}}
	if bad != "" { // a peer's message this binary would not send
		for range b.Cmds {
			j.w.Error(bad)
			j.ends = append(j.ends, j.w.Len())
		}
		return replyOf(j)
	}
	g.k.st.now = time.Now().UnixMilli()
	func() {
		defer func() {
			if r := recover(); r != nil { // crashed answered the job: go on with the Store
				ctx.Logger().Error("resp shard: a command failed; answered with an error", "shard", ctx.Self().Id, "panic", capPanic(r))
			}
		}()
		if b.Exec {
			g.k.exec(ctx, j)
		}
		for j.at < len(b.Cmds) {
			call := g.k.prepare(ctx, j, &b.Cmds[j.at])
			g.k.invoke(j, call)
			if spec := call.block; spec != nil { // nothing parks here: as at its timeout
				call.block = nil
				spec.onTimeout(&j.w)
			}
			j.ends = append(j.ends, j.w.Len())
			j.at++
		}
	}()
	return replyOf(j)
}

// replyOf is j's answer. One over maxCrossBytes could be lost between
// nodes (shard_router.go): its commands ran, but each is answered with an
// error (EXEC with one).
func replyOf(j *job) *resppb.ShardReply {
	if len(j.w.buf) > maxCrossBytes {
		text := "ERR reply over " + strconv.Itoa(maxCrossBytes) + " bytes cannot cross the cluster (the command ran)"
		n := len(j.b.Cmds)
		if j.b.Exec {
			n, j.aborted = 1, true
		}
		r := failedBatch(n, text)
		j.w.buf, j.ends = r.Out, r.Ends
	}
	ends := make([]int32, len(j.ends))
	for i, e := range j.ends {
		ends[i] = int32(e)
	}
	return &resppb.ShardReply{Id: j.id, Out: j.w.buf, Ends: ends, Aborted: j.aborted}
}

// batchOf reads a ShardBatch; bad says why it cannot run (a command index
// or database out of range), or is "".
func batchOf(m *resppb.ShardBatch) (*batch, string) {
	b := &batch{Proto: int(m.GetProto()), Exec: m.GetExec(), ExecLen: int(m.GetExecLen()), Abort: m.GetAbort()}
	if b.Proto != 3 {
		b.Proto = 2
	}
	bad := ""
	for _, c := range m.GetCmds() {
		i, db := int(c.GetIndex()), int(c.GetDb())
		if i < 0 || i >= len(flat) || db < 0 || db >= numDBs || len(c.GetArgs()) == 0 {
			bad = "ERR internal error: a malformed command from another node"
			i, db = 0, 0
		}
		b.Cmds = append(b.Cmds, cmd{Index: i, DB: db, Args: c.GetArgs()})
	}
	if b.Exec && bad != "" {
		b.Exec = false
	}
	return b, bad
}

// capPanic is a panic's text for the log, cut at 200 bytes.
func capPanic(r any) string {
	text := fmt.Sprint(r)
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	return text
}
