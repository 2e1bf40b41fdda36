package resp

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
	"async_server/supervision"
)

// errOOM is Redis's noeviction reply to a command that may add data while
// used memory is over -maxmemory.
const errOOM = "OOM command not allowed when used memory > 'maxmemory'."

// maxChunk bounds the replies one job builds before the connection has
// written them: past it (after the command that passed it), the key space
// sends what it has as one chunk and pauses the rest of the batch until the
// connection, having written the chunk, asks for more (client.paused). One
// read of a few KiB can hold thousands of commands, each of which may
// answer with a big value (2000 GETs of a 1 MiB value in one 16 KiB write
// made the server build 2 GB before writing a byte); so what a batch makes
// the server hold is this plus one command's reply, whose size is the data's
// (maxmemory). A megabyte: one write of it is a few ms of a slow client and
// a fraction of the cost of its replies, so the chunks cost nothing to a
// client that reads. EXEC's batch is never split: a transaction is one
// reply, as in Redis.
const maxChunk = 1 << 20

// run runs j's commands from j.at on, until the last (then it answers the
// connection and starts the connection's next queued request), one parks,
// or its replies pass maxChunk (pause).
func (k *keySpace) run(ctx actor.Context, j *job) {
	if j.b.Exec {
		k.exec(ctx, j)
	}
	for j.at < len(j.b.Cmds) {
		if k.step(ctx, j) {
			return // parked
		}
		// As Redis after each command: serve the requests parked on keys it
		// changed before the connection's next command runs.
		k.serveReady(ctx)
		if len(j.w.buf) > maxChunk && j.at < len(j.b.Cmds) && k.pause(j) {
			k.reply(ctx, j) // a chunk: j is the connection's now
			return
		}
	}
	cl := k.st.clients.M[j.client.Id]
	k.reply(ctx, j) // j is the connection's now
	k.next(ctx, cl)
}

// pause keeps the rest of j, from j.at, in its client's record (paused),
// for the connection to ask for once it has written j's replies so far;
// and reports whether it did (not in a shard grain, which answers a batch
// whole, nor for a client the key space no longer knows). The rest is a
// fresh job, so j, sent as the chunk, is the connection's as any answer is
// (job): no buffer the connection may still read is written again, and the
// chunk's buffer goes with it (none is copied).
func (k *keySpace) pause(j *job) bool {
	cl := k.st.clients.M[j.client.Id]
	if k.gate == nil || cl == nil || j.b.Exec {
		return false
	}
	rest := newJob(j.client, j.id, j.b)
	rest.at = j.at
	cl.paused = rest
	return true
}

// onMore runs the next chunk of the connection's paused request: it has
// written the last one and asks for the rest (more). Nothing paused (the
// key space forgot it: peerGone, a fresh behavior, CLIENT KILL), it is
// answered as abandoned.
func (k *keySpace) onMore(ctx actor.Context, m *messages.ServiceRequest) {
	cl := k.st.clients.M[ctx.Sender().Id]
	if cl == nil || cl.paused == nil {
		ctx.Respond(&messages.ServiceReply{ID: m.ID, Body: &abandoned{}})
		return
	}
	j := cl.paused
	cl.paused = nil
	j.id = m.ID // the answer is this request's
	k.clock = monoNow()
	k.st.now = time.Now().UnixMilli()
	k.run(ctx, j)
	k.serveReady(ctx)
	k.armWake(ctx)
	k.srv.oom.Store(k.stuck())
}

// step runs j's command j.at and reports whether it parked.
func (k *keySpace) step(ctx actor.Context, j *job) bool {
	c := &j.b.Cmds[j.at]
	call := k.prepare(ctx, j, c)
	if !k.invoke(j, call) {
		return false
	}
	if spec := call.block; spec != nil {
		call.block = nil
		cl := k.st.clients.M[j.client.Id]
		cl.parked = k.st.blocks.park(j, spec, c.DB, time.UnixMilli(k.st.now))
		return true
	}
	j.ends = append(j.ends, j.w.Len())
	j.at++
	return false
}

// prepare sets up j's Call for command c.
func (k *keySpace) prepare(ctx actor.Context, j *job, c *cmd) *Call {
	call := &j.call
	*call = Call{Args: c.Args, W: &j.w, DB: k.st.dbs[c.DB], Store: k.st, InMulti: j.b.Exec,
		Client: j.client, Ctx: ctx, Srv: k.srv, cmd: flat[c.Index]}
	return call
}

// invoke runs one command's handler. A panic is answered: that command's
// reply is an error, the rest of the batch is not run (each gets an error),
// the connection is answered, and the instance fails (Internal) for the
// supervisor to decide on; the fresh instance finds the Store. invoke
// reports whether the command ran (true), which a panic never returns from.
func (k *keySpace) invoke(j *job, call *Call) bool {
	mark := j.w.Len()
	defer func() {
		if r := recover(); r != nil {
			k.crashed(j, mark, call.cmd.Name, r)
		}
	}()
	k.st.stats.Commands++
	// Room is made before a command of its own (Redis's processCommand), not
	// before each command of an EXEC (exec made it for the whole) nor a
	// parked command tried again.
	if !call.InMulti && call.Woken == nil && k.makeRoom(call.Ctx) == roomNone && call.cmd.Flags&DenyOOM != 0 {
		call.W.Error(errOOM)
		k.srv.rejected(call.cmd)
		return true
	}
	start := k.clock
	if start == 0 || k.st.cfg.maxMemory.Load() > 0 { // not the eviction's time
		start = monoNow()
	}
	call.cmd.Run(call)
	k.st.settle()
	end := monoNow()
	k.srv.ran(call.cmd, end-start, j.w.buf[mark:])
	if k.clock != 0 {
		k.clock = end
	}
	return true
}

// crashed answers the job whose command panicked, then fails the instance.
func (k *keySpace) crashed(j *job, mark int, name string, r any) {
	j.w.buf = j.w.buf[:mark]
	j.w.Error("ERR internal error in the key space running '" + name + "'; it restarted")
	j.ends = append(j.ends, j.w.Len())
	for j.at++; j.at < len(j.b.Cmds); j.at++ {
		j.w.Error("ERR not run: the key space failed on an earlier command of this pipeline")
		j.ends = append(j.ends, j.w.Len())
	}
	if j.b.Exec {
		j.ends = []int{j.w.Len()}
	}
	if cl := k.st.clients.M[j.client.Id]; cl != nil && cl.parked != nil && cl.parked.j == j {
		k.st.blocks.unpark(cl.parked) // it crashed being retried: answered now
		cl.parked = nil
	}
	if ctx := j.call.Ctx; ctx != nil { // else the direct path, which answers j itself
		k.reply(ctx, j)
	}
	cause := fmt.Sprint(r)
	if len(cause) > 200 {
		cause = cause[:200] + "..."
	}
	panic(supervision.New(supervision.Internal, "keyspace "+name, fmt.Errorf("%s", cause)))
}

// exec runs an EXEC batch as one transaction: one array reply, blocking
// commands answering at once, parked requests served only after it. A
// transaction refused while queued, or one a watched key of which changed,
// does not run. Either way the connection's watches go.
func (k *keySpace) exec(ctx actor.Context, j *job) {
	client := j.client.Id
	dirty := k.st.watches.dirty.M[client]
	k.st.watches.unwatch(client)
	switch {
	case k.makeRoom(ctx) == roomNone && j.b.denyOOM():
		// As Redis: the whole transaction is refused, before it runs.
		j.w.Error("EXECABORT Transaction discarded because of: " + errOOM)
		j.aborted = true
	case j.b.Abort:
		j.w.Error("EXECABORT Transaction discarded because of previous errors.")
		j.aborted = true
	case dirty:
		j.w.NullArray()
		j.aborted = true
	default:
		j.w.Array(j.b.ExecLen)
	}
	j.ends = append(j.ends, j.w.Len())
	if j.aborted {
		j.at = len(j.b.Cmds)
		return
	}
	for j.at < len(j.b.Cmds) {
		call := k.prepare(ctx, j, &j.b.Cmds[j.at])
		k.invoke(j, call)
		j.ends = append(j.ends, j.w.Len())
		j.at++
	}
}

// next runs a connection's queued requests, once nothing of it is parked.
func (k *keySpace) next(ctx actor.Context, cl *client) {
	for cl != nil && cl.parked == nil && cl.paused == nil && len(cl.queue) > 0 {
		j := cl.queue[0]
		cl.queue = cl.queue[1:]
		k.run(ctx, j)
	}
}

// serveReady tries again the requests parked on keys that changed, in the
// order they parked, until no changed key has a waiter left: a served
// request may change keys in turn (BLMOVE pushes). A key's waiters are
// tried while the key is there, as Redis's handleClientsBlockedOnKeys
// serves them (it stops once a served client took the last element): every
// blocking command needs its key to hold something, so the rest would only
// block again, and one push to a key N clients wait on would run the
// command N times, not once. A key made again wakes them again (changed).
func (k *keySpace) serveReady(ctx actor.Context) {
	b := &k.st.blocks
	for key, ok := b.nextReady(); ok; key, ok = b.nextReady() {
		db := k.st.dbs[key.db]
		for _, p := range append([]*parked(nil), b.waiting.M[key]...) {
			if !db.holds(key.key) {
				break
			}
			if !p.gone {
				k.retry(ctx, p, key.key)
			}
		}
	}
}

// retry runs a parked command again, woken by a change of key; if it
// answers this time, its request goes on.
func (k *keySpace) retry(ctx actor.Context, p *parked, key string) {
	j := p.j
	call := k.prepare(ctx, j, &j.b.Cmds[j.at])
	call.InMulti = false
	call.Woken = []byte(key)
	k.invoke(j, call)
	if call.block != nil {
		call.block = nil // still nothing for it: it stays where it is
		return
	}
	k.st.blocks.unpark(p)
	k.st.clients.M[j.client.Id].parked = nil
	j.ends = append(j.ends, j.w.Len())
	j.at++
	k.run(ctx, j)
}
