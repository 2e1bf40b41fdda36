package resp

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/supervision"
)

// This file is the key space's direct path: a connection whose request
// finds the key space idle runs it itself, on its own goroutine, instead of
// sending it as a message and waiting for the reply.
//
// Why: the key space already ran on its sender's goroutine when idle
// (protocol.Service.OnSender), so a request cost no goroutine hand-off, but
// it was still two messages: an envelope, protoactor's send and invoke and
// the service mailbox on the way in, the reply's send, the connection
// mailbox's post and dispatch on the way out. At redis-benchmark -P 1 that
// was 1.0 µs of the 4.3-4.9 µs of user CPU a request cost (docs/resp.md).
//
// What keeps it the same key space:
//
//   - One at a time. The gate's mutex is held by the key space actor for
//     every message it handles and by a connection for the batch it runs
//     directly, so commands stay atomic and EXEC's batch (always a message)
//     has no other command between its own. A connection only tries the
//     mutex: if the key space is busy, the request is a message as before.
//   - The connection's order. A connection runs a batch directly only when
//     every request it sent before is answered, and only after the key space
//     has answered one of its requests by message: that one came after the
//     fresh behavior's clientReset, so the key space has forgotten what a
//     failed predecessor left (session.keySpaceHeard).
//   - Nothing parks. A batch with a blocking command goes as a message, and
//     while any request is parked every batch does (a push may serve it, and
//     serving it is the actor's job). So the direct path never sends a reply
//     to another connection and never arms a timer.
//   - A crash is still the key space's. A panicking command is answered as
//     in the actor (keySpace.crashed: the error, then "not run" for the
//     rest), then the connection sends the key space a directFailed, which
//     fails the actor with the same error: the services supervisor decides,
//     logs and counts it as it does any key-space failure. The data is the
//     Store's either way.
//   - Long commands. A long command on the direct path (DEBUG SLEEP) holds
//     the gate, so a connection whose message then starts a run of the key
//     space on its own goroutine waits in Receive for it: as one that ran
//     the key space on its sender waited behind a long command before
//     (actors/sender_mailbox.go; docs/resp.md).
//   - No socket. The key space's code writes into the job's buffer; the
//     connection writes its replies as before, so confinement holds: the
//     direct path runs on the connection's goroutine, and the key space's
//     goroutine still writes no socket.
type direct struct {
	mu   sync.Mutex
	st   *Store
	k    keySpace   // the direct path's own: never the actor's instance, whose timers are its own
	self *actor.PID // the key space, for evictMore and directFailed; set when it starts
	// root sends them: a message from the root context carries no sender,
	// so it never starts a run of the key space's mailbox on this goroutine
	// (actors/sender_mailbox.go), which holds the gate: it goes to a runner.
	root     *actor.RootContext
	closed   bool // the key space has stopped: every request goes as a message (and finds it gone)
	evicting bool // an evictMore is in the key space's mailbox (keySpace.evictingFlag)
	// Batches the key space ran, by path (/metrics): directly, and as
	// messages (keySpace.onRequest).
	runs, messages atomic.Int64
}

// newDirect returns the direct path into the key space that owns st.
func newDirect(st *Store, srv *server) *direct {
	d := &direct{st: st}
	d.k = keySpace{st: st, srv: srv, gate: d}
	return d
}

// run runs b for the connection pid if the key space is idle and b may run
// here, and returns its answer; nil if b must go as a message. The answer
// may be a chunk (batchReply.More, as the key space's: keyspace_run.go's
// maxChunk): the rest is paused in the key space, for the connection to
// run (resume) or ask for once it has written the chunk.
func (d *direct) run(pid *actor.PID, b *batch) (j *job) {
	if pid == nil || !d.mu.TryLock() {
		return nil
	}
	defer d.mu.Unlock()
	if d.closed || d.self == nil || !d.mayRun(pid, b) {
		return nil
	}
	d.runs.Add(1)
	j = newJob(pid, 0, b)
	// The read's stamp starts the first command's latency (invoke): it was
	// taken on this goroutine just before the batch was parsed, and one
	// clock reading fewer per request is 0.3% of the server's CPU at
	// redis-benchmark -P 1 (a reading is about 60 ns on a VM).
	d.runJob(j, b.Mono)
	return j
}

// resume runs the rest of the connection's batch b, paused in the key space
// after a chunk (client.paused) the connection has written, if the key
// space is idle and it may run here (as run's batch: nothing of the
// connection queued behind it, nothing parked, no command left that may
// block); and returns its answer, nil if the connection must ask for it by
// message (more).
func (d *direct) resume(pid *actor.PID, b *batch) (j *job) {
	if pid == nil || !d.mu.TryLock() {
		return nil
	}
	defer d.mu.Unlock()
	if d.closed || d.self == nil {
		return nil
	}
	cl := d.st.clients.M[pid.Id]
	if cl == nil || cl.paused == nil || cl.paused.b != b || cl.parked != nil || len(cl.queue) > 0 || len(d.st.blocks.waiting.M) > 0 {
		return nil
	}
	for i := cl.paused.at; i < len(b.Cmds); i++ {
		if flat[b.Cmds[i].Index].Flags&Blocking != 0 {
			return nil
		}
	}
	j = cl.paused
	cl.paused = nil
	j.id = 0
	d.runJob(j, 0)
	return j
}

// runJob runs j from j.at on, until the last command or a chunk (pause),
// and fills its answer. mono is when the first command's latency starts;
// zero: now.
func (d *direct) runJob(j *job, mono time.Duration) {
	k := &d.k
	defer func() {
		k.clock = 0
		j.reply = batchReply{Out: j.w.buf, Ends: j.ends, More: j.at < len(j.b.Cmds), job: j}
		if r := recover(); r != nil {
			d.failed(r) // keySpace.crashed answered the command and the rest of b
		}
	}()
	k.clock = mono
	if k.clock == 0 {
		k.clock = monoNow()
		d.st.now = time.Now().UnixMilli()
	} else {
		d.st.now = j.b.wallAt(k.clock)
	}
	for j.at < len(j.b.Cmds) {
		k.step(nil, j)
		if len(j.w.buf) > maxChunk && j.at < len(j.b.Cmds) && k.pause(j) {
			break
		}
	}
	k.srv.oom.Store(k.stuck())
}

// mayRun reports whether b of connection pid may run directly: the key
// space knows the connection and holds nothing of it, nothing is parked,
// and no command of b may block.
func (d *direct) mayRun(pid *actor.PID, b *batch) bool {
	cl := d.st.clients.M[pid.Id]
	if cl == nil || cl.parked != nil || cl.paused != nil || len(cl.queue) > 0 || len(d.st.blocks.waiting.M) > 0 || b.Exec {
		return false
	}
	for i := range b.Cmds {
		if flat[b.Cmds[i].Index].Flags&Blocking != 0 {
			return false
		}
	}
	return true
}

// failed has the key space actor fail with the error of a command that
// panicked on the direct path, so that its supervisor decides on it.
func (d *direct) failed(r any) {
	err, ok := r.(*supervision.Error)
	if !ok {
		panic(r) // not a command's: keySpace.crashed wraps every one
	}
	d.root.Send(d.self, &directFailed{err: err})
}

// started and stopped are the key space actor's: it is up (at d.self), or
// it has stopped for good. Called with d.mu held (keySpace.Receive).
func (d *direct) started(ctx actor.Context) {
	d.self, d.root, d.closed = ctx.Self(), ctx.ActorSystem().Root, false
}

func (d *direct) stopped() { d.closed = true }

// directFailed is what a connection sends the key space when a command it
// ran directly panicked: the key space fails with err.
type directFailed struct{ err *supervision.Error }
