package etcdmembers

import (
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// fence says whether this node may act for its grains. It is open while the
// last acknowledged keep-alive was sent less than 3/4 of the TTL ago.
//
// Why 3/4, and why from the send: etcd renews the lease when it receives the
// keep-alive, after we sent it, so the lease lives at least TTL past our
// send. The other nodes drop this one only when the lease has expired, so
// closing at 3/4 leaves a quarter of the TTL for clock rate differences and a
// message already being handled. A stalled process (SIGSTOP, a long GC pause,
// a swapped-out page) finds the fence shut by the clock the moment it wakes,
// before its keep-alive goroutine has even run.
type fence struct {
	start    time.Time    // monotonic origin of the offsets below
	after    atomic.Int64 // nanoseconds: 3/4 of the granted TTL; 0 = never opened
	ackSent  atomic.Int64 // offset from start of the last acknowledged send
	shut     atomic.Bool  // for good: lease lost or shutdown
	shutAt   atomic.Int64 // offset from start when shut was first set, plus 1 (0: not shut)
	dropped  atomic.Uint64
	reported atomic.Bool // the current closed spell has been logged
}

func (f *fence) init() { f.start = time.Now() }

// open starts the fence's clock with the lease's first acknowledgement.
func (f *fence) open(ttl time.Duration, sent time.Time) {
	f.ackSent.Store(int64(sent.Sub(f.start)))
	f.after.Store(int64(ttl / 4 * 3))
}

// ack records an acknowledged keep-alive that was sent at sent.
func (f *fence) ack(sent time.Time) {
	offset := int64(sent.Sub(f.start))
	if offset > f.ackSent.Load() { // one writer (the keep-alive loop), but keep it monotonic
		f.ackSent.Store(offset)
	}
	f.reported.Store(false)
}

// close shuts the fence for good.
func (f *fence) close() {
	f.shutAt.CompareAndSwap(0, int64(time.Since(f.start))+1)
	f.shut.Store(true)
}

// closedSince returns when the fence last closed, on the wall clock: 3/4 of
// the TTL after the send of the last acknowledged keep-alive, or when it
// was shut, whichever came first. Only meaningful once it is closed for
// good (the lease lost): it cannot open again then, so nothing has passed
// it since. The lease-lost log line carries it (fenced_from), for a test
// that checks that a stalled node acted for no grain once another node may
// have taken it over.
func (f *fence) closedSince() time.Time {
	at := time.Duration(f.ackSent.Load() + f.after.Load())
	if s := f.shutAt.Load(); s != 0 && time.Duration(s-1) < at {
		at = time.Duration(s - 1)
	}
	return f.start.Add(at)
}

// closedAt reports whether the fence is closed at elapsed (since start) and
// how long that is after the last acknowledged send.
func (f *fence) closedAt(elapsed time.Duration) (bool, time.Duration) {
	after := f.after.Load()
	if f.shut.Load() || after == 0 {
		return true, 0
	}
	since := elapsed - time.Duration(f.ackSent.Load())
	return since > time.Duration(after), since
}

// closedNow is closedAt now. time.Since reads only the monotonic clock (one
// clock read per grain message, not time.Now's two).
func (f *fence) closedNow() (bool, time.Duration) { return f.closedAt(time.Since(f.start)) }

// Fenced reports whether grain messages must be dropped now: before
// StartMember has registered, once the lease is (or may be) lost, after
// Shutdown began, and whenever more than 3/4 of the TTL has passed since the
// send of the last acknowledged keep-alive. It may open again (a late
// acknowledgement within the TTL) until the lease is known lost.
func (p *Provider) Fenced() bool {
	closed, _ := p.fence.closedNow()
	return closed
}

// Dropped counts the grain messages the fence has dropped.
func (p *Provider) Dropped() uint64 { return p.fence.dropped.Load() }

// Fence is a receiver middleware for grain kinds: while Fenced, it drops
// every message but the grain's own lifecycle (Started, Stopping, Stopped,
// Restarting, PoisonPill: it can still stop) and cluster.ClusterInit, so a
// grain whose node may no longer own it neither changes state nor answers
// nor acts. That includes the Terminated of an actor it watches and its
// receive timeout: a chat room, woken fenced, broadcast "* dave left" on the
// Terminated of a member that had closed during the stall, to members who
// had already moved to the room's new grain. A requester sees its request
// time out. Install it on every grain kind's props:
//
//	props := actor.PropsFromProducer(newRoom, actor.WithReceiverMiddleware(provider.Fence))
//	kind := cluster.NewKind("room", props)
//
// What a fence drops is lost, not delayed, even if it opens again (a late
// acknowledgement within the TTL): a grain fenced for a moment may miss a
// Leave, or the Terminated of a watched actor, as it misses a request.
func (p *Provider) Fence(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(c actor.ReceiverContext, env *actor.MessageEnvelope) {
		if passesFence(env.Message) {
			next(c, env)
			return
		}
		closed, since := p.fence.closedNow()
		if !closed {
			next(c, env)
			return
		}
		p.fence.dropped.Add(1)
		if p.fence.reported.CompareAndSwap(false, true) {
			p.log.WithField("since_ack", since).WithField("fence_after", time.Duration(p.fence.after.Load())).
				Warn("fenced: dropping grain messages (lease unconfirmed for 3/4 of its TTL, lost, or shutting down)")
		}
	}
}

// passesFence reports the messages a fenced grain still gets: its own
// lifecycle, which lets it stop, and nothing that asks it to act. Terminated
// and ReceiveTimeout are system messages too, but a grain acts on them.
func passesFence(msg interface{}) bool {
	switch msg.(type) {
	case *actor.Terminated, *actor.ReceiveTimeout:
		return false
	case actor.SystemMessage, actor.AutoReceiveMessage, *cluster.ClusterInit:
		return true
	}
	return false
}
