package resp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// keySpaceName is the key space's service name: root/services/keyspace.
const keySpaceName = "keyspace"

// keySpace is the service that owns the data, Redis's model: one actor runs
// every command of every connection, one after the other, so each command
// (and each batch, and EXEC) is atomic. (A connection that finds it idle
// runs its batch itself, under the same gate: direct.go.) Its data is the Store, which lives
// outside the instance (see Store): when a command panics, the instance
// answers that command with an error, then fails, and the fresh instance the
// services supervisor makes finds the store as it was; requests queued in
// its mailbox are not lost (protoactor keeps them across a restart), and
// parked ones, and the rest of one paused after a chunk (client.paused),
// are in the store.
//
// What the instance itself holds is only its two timers: the active expiry's
// tick and the wake-up for the earliest parked deadline.
type keySpace struct {
	st     *Store
	srv    *server
	gate   *direct // the direct path (direct.go); nil in a shard grain
	tick   *time.Timer
	wake   *time.Timer
	wakeAt time.Time // when wake fires; zero if not armed
	// evicting: an evictMore is in the mailbox, in a shard grain (the key
	// space's is the gate's: evictingFlag). Lost with a failed instance,
	// which is harmless: the next command evicts again.
	evicting bool
	// clock is when the command about to run starts (monoNow), for its
	// latency (invoke): the end of the one before it in this request, or
	// the request's arrival. Zero outside a request's handling, so that a
	// command run by anything else reads the clock itself. One read of
	// the monotonic clock per command, where time.Now and time.Since made
	// three: at redis-benchmark -P 16 the clock was 5% of the server's CPU.
	clock time.Duration
}

var _ actor.Actor = (*keySpace)(nil)

// newKeySpace returns the service's New: every instance works on st, and
// shares the gate of the direct path with the connections.
func newKeySpace(st *Store, srv *server, gate *direct) func() actor.Actor {
	return func() actor.Actor { return &keySpace{st: st, srv: srv, gate: gate} }
}

// Receive handles one message with the gate held: a connection's direct run
// is never beside it (direct.go).
func (k *keySpace) Receive(ctx actor.Context) {
	if k.gate != nil {
		k.gate.mu.Lock()
		defer k.gate.mu.Unlock()
	}
	k.receive(ctx)
}

// receive dispatches.
func (k *keySpace) receive(ctx actor.Context) {
	k.clock = 0
	switch m := ctx.Message().(type) {
	case *messages.ServiceRequest:
		k.onRequest(ctx, m)
	case *directFailed:
		panic(m.err) // a command run on the direct path panicked: this is its failure
	case *evictMore:
		*k.evictingFlag() = false
		k.st.now = time.Now().UnixMilli()
		k.makeRoom(ctx)
		k.srv.oom.Store(k.stuck())
	case *expireTick:
		k.activeExpire()
		k.armTick(ctx)
		k.srv.oom.Store(k.stuck())
	case *wakeUp:
		k.wakeAt = time.Time{}
		k.st.now = time.Now().UnixMilli()
		k.timeouts(ctx)
		k.srv.oom.Store(k.stuck())
	case *clientReset:
		// Answered, though nobody reads it: the connection counts its
		// unanswered requests (MaxInFlight; shutdown waits for them).
		k.forget(ctx, ctx.Sender(), false, true)
		k.known(ctx, ctx.Sender(), m.Conn)
	case *peerGone:
		// A request paused after a chunk (and those behind it) goes on: it
		// is not waiting for data, and a peer that only half-closed reads
		// its replies, as it did when a batch's replies came whole.
		if p := ctx.Sender(); p == nil || k.st.clients.M[p.Id] == nil || k.st.clients.M[p.Id].paused == nil {
			k.forget(ctx, ctx.Sender(), false, true)
		}
	case *clientKilled:
		pid := m.PID
		if pid == nil {
			pid = ctx.Sender()
		}
		k.forget(ctx, pid, false, false)
	case *actor.Terminated:
		k.forget(ctx, m.Who, true, false)
	case *actor.Started:
		// A fresh instance, maybe after a failure: serve what its predecessor
		// left ready, and time what is parked.
		if k.gate != nil {
			k.gate.started(ctx)
		}
		k.st.now = time.Now().UnixMilli()
		k.armTick(ctx)
		for _, cl := range k.st.clients.M {
			k.next(ctx, cl)
		}
		k.serveReady(ctx)
		k.timeouts(ctx)
	case *actor.Restarting:
		k.stopTimers()
	case *actor.Stopping:
		k.stopTimers()
		if k.gate != nil {
			k.gate.stopped()
		}
	}
}

// onRequest runs a connection's batch, or queues it behind the connection's
// parked one.
func (k *keySpace) onRequest(ctx actor.Context, m *messages.ServiceRequest) {
	b, ok := m.Body.(*batch)
	if !ok {
		if _, ok := m.Body.(*more); ok {
			k.onMore(ctx, m)
			return
		}
		ctx.Respond(&messages.ServiceReply{ID: m.ID})
		return
	}
	if k.gate != nil {
		k.gate.messages.Add(1)
	}
	cl := k.client(ctx, ctx.Sender())
	j := newJob(cl.pid, m.ID, b)
	if cl.parked != nil || cl.paused != nil {
		cl.queue = append(cl.queue, j)
		return
	}
	k.clock = monoNow()
	k.st.now = b.wallAt(k.clock)
	k.run(ctx, j)
	k.serveReady(ctx)
	k.armWake(ctx)
	k.srv.oom.Store(k.stuck())
}

// client returns the Store's record of the connection pid, made (and the
// connection watched) on its first request: a connection that never sends
// the key space a command costs it nothing (an idle resp connection cost
// 2 KiB more than an echo one, most of it this record and the watcher set
// protoactor gives a watched actor).
func (k *keySpace) client(ctx actor.Context, pid *actor.PID) *client {
	cl := k.st.clients.M[pid.Id]
	if cl == nil {
		cl = &client{pid: pid}
		k.st.addClient(pid.Id, cl)
		ctx.Watch(pid)
	}
	return cl
}

// forget drops what a connection left: its parked request, its paused one
// (owed no answer: its last chunk answered the request, and a later ask for
// more finds nothing, abandoned) and its queued ones, answered as abandoned if answer (the peer closed, or a fresh
// behavior replaced the one that asked: the connection still counts them as
// owed), else not at all (the connection has ended); and, if it has ended,
// the connection itself.
func (k *keySpace) forget(ctx actor.Context, pid *actor.PID, ended, answer bool) {
	if pid == nil {
		return
	}
	cl := k.st.clients.M[pid.Id]
	if cl == nil {
		return
	}
	if cl.parked != nil {
		k.st.blocks.unpark(cl.parked)
		if answer {
			ctx.Send(pid, &messages.ServiceReply{ID: cl.parked.j.id, Body: &abandoned{}})
		}
		cl.parked = nil
	}
	if cl.paused != nil {
		cl.paused.release() // never sent: nobody else has it
		cl.paused = nil
	}
	for _, j := range cl.queue {
		if answer {
			ctx.Send(pid, &messages.ServiceReply{ID: j.id, Body: &abandoned{}})
		}
	}
	cl.queue = nil
	k.st.watches.unwatch(pid.Id)
	if ended {
		k.st.dropClient(pid.Id)
	}
}

// known gives the record in the server's registry of a connection that has
// just started (clientReset) its PID: CLIENT KILL sends to it. The key
// space makes no record of its own for it (client does, at its first
// command); the registry's record goes when the connection ends
// (session.Ended). A connection CLIENT KILL chose before it had its PID
// is told now (killClient): the killer found no PID to send to.
func (k *keySpace) known(ctx actor.Context, pid *actor.PID, conn string) {
	if pid == nil {
		return
	}
	k.srv.clients.mu.Lock()
	ci := k.srv.clients.byConn.M[conn]
	k.srv.clients.mu.Unlock()
	if ci != nil {
		ci.pid.Store(pid)
		if ci.killed.Load() {
			ctx.Send(pid, &killClient{})
		}
	}
}

// reply sends a finished job's replies to its connection, or a chunk of
// them (More: its commands from j.at on are paused). From here on the job
// is the connection's, which recycles it (job): nothing may touch it.
func (k *keySpace) reply(ctx actor.Context, j *job) {
	j.reply = batchReply{Out: j.w.buf, Ends: j.ends, Aborted: j.aborted, More: j.at < len(j.b.Cmds), job: j}
	j.msg = messages.ServiceReply{ID: j.id, Body: &j.reply}
	ctx.Send(j.client, &j.msg)
}

// makeRoom evicts as the Store's makeRoom does, and has the key space go
// on evicting, after the requests already queued, while keys are left.
func (k *keySpace) makeRoom(ctx actor.Context) room {
	r := k.st.makeRoom()
	if evicting := k.evictingFlag(); r == roomEvicting && !*evicting {
		*evicting = true
		if ctx == nil { // the direct path
			k.gate.root.Send(k.gate.self, &evictMore{})
		} else {
			ctx.Send(ctx.Self(), &evictMore{})
		}
	}
	if r == roomElsewhere {
		k.st.node.askOthersToEvict(ctx)
	}
	return r
}

// evictingFlag is where the key space notes that an evictMore is in its
// mailbox: with the gate, which the direct path shares; in a shard grain,
// in the instance.
func (k *keySpace) evictingFlag() *bool {
	if k.gate != nil {
		return &k.gate.evicting
	}
	return &k.evicting
}

// armTick has the active expiry run again in expireEvery.
func (k *keySpace) armTick(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	if k.tick != nil {
		k.tick.Stop()
	}
	k.tick = time.AfterFunc(expireEvery, func() { root.Send(self, &expireTick{}) })
}

// armWake has the key space woken at the earliest parked deadline.
func (k *keySpace) armWake(ctx actor.Context) {
	at := k.st.blocks.earliest()
	if at.IsZero() || (!k.wakeAt.IsZero() && !at.Before(k.wakeAt)) {
		return
	}
	if k.wake != nil {
		k.wake.Stop()
	}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	k.wakeAt = at
	k.wake = time.AfterFunc(time.Until(at), func() { root.Send(self, &wakeUp{}) })
}

// stopTimers stops the instance's timers: it is being replaced or stopped.
func (k *keySpace) stopTimers() {
	if k.tick != nil {
		k.tick.Stop()
	}
	if k.wake != nil {
		k.wake.Stop()
	}
	k.wakeAt = time.Time{}
}

// timeouts answers the parked requests whose deadline has passed, then
// re-arms the wake-up.
func (k *keySpace) timeouts(ctx actor.Context) {
	now := time.Now()
	for p := k.st.blocks.expired(now); p != nil; p = k.st.blocks.expired(now) {
		k.st.blocks.unpark(p)
		j := p.j
		k.st.clients.M[j.client.Id].parked = nil
		p.spec.onTimeout(&j.w)
		j.ends = append(j.ends, j.w.Len())
		j.at++
		k.run(ctx, j)
	}
	k.serveReady(ctx)
	k.armWake(ctx)
}
