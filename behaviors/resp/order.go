package resp

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// This file keeps a connection's replies in the order of its commands. The
// commands of one read that go to one service go in one request (a
// segment); a connection command's reply, and a protocol error's, waits in
// the segment before it, behind that segment's replies. Replies are written
// once every segment before them is answered; the services may answer in any
// order.

// segment is one request to a service and the local replies that follow its
// commands' replies.
type segment struct {
	target *actor.PID
	b      *batch
	id     uint64      // the request's ID, once sent
	sent   bool        // sent: no more commands join it
	reply  *batchReply // the answer, once it came
	w      Writer      // the local replies
	parts  []part      // every reply, in order, once local (spellOut); EXEC's always
	local  bool        // some parts are local or skipped: parts says how to assemble the reply
	exec   bool        // EXEC's: its reply has the array's header first
	own    int         // EXEC's: its parts are parts[:own]; later ones are replies after it
	held   int         // bytes of its commands' arguments (reportHeld)
	done   bool        // its service answered it, and so no longer touches it (recycle)
	// blocking: it holds a command that may block (BLPOP), so its reply may
	// be long in coming (session.owesBlocking)
	blocking bool
	// EXEC's, while exec fills its batch: not sent yet, though a connection
	// command of the transaction (SUBSCRIBE) asks for what is open to be
	// sent (sendOpen); sent half-filled, its answer had fewer replies than
	// the segment wants by the time it came, and the commands after it were
	// never run.
	filling bool
	// A segment answered in chunks (batchReply.More): got is how many of its
	// remote replies the chunks written so far held, and written how many
	// of its parts (when local) are written.
	got, written int

	// The arrays of a segment of one command (redis-benchmark -P 1): its
	// batch, command and part live in the segment, one allocation in all.
	batch batch
	cmd1  [1]cmd
	part1 [1]part
}

// part is one reply of a segment: command i of the request's (remote), or
// w.buf[from:to].
type part struct {
	remote   bool
	skip     bool // CLIENT REPLY OFF or SKIP: not written
	i        int
	from, to int
}

// local returns where a connection command's reply goes: straight out if
// nothing is owed before it, else after the last segment's. endLocal closes
// it (and drops it under CLIENT REPLY OFF or SKIP, unless it is a push).
//
// Pub/sub's pushes (a published message; the confirmations of
// (P|S)SUBSCRIBE and (P|S)UNSUBSCRIBE, which say so with pushed) are
// written whatever CLIENT REPLY says, in RESP2 as in RESP3: Redis 7.0
// writes them with CLIENT_PUSHING, which its prepareClientToWrite lets
// through CLIENT REPLY OFF and SKIP. A subscriber that turned replies off
// still hears its channels.
func (s *session) local() *Writer {
	w := &s.out
	if n := len(s.queue); n > 0 {
		w = &s.queue[n-1].w
	}
	w.Proto = s.proto
	s.localFrom = w.Len()
	s.pushed = false
	return w
}

// quiet says whether the command being dispatched gets no reply written.
func (s *session) quiet() bool { return s.replyOff || s.skipThis }

// endLocal ends the reply local() was asked for.
func (s *session) endLocal() {
	drop := s.quiet() && !s.pushed
	s.pushed = false
	if len(s.queue) == 0 {
		if drop {
			s.out.buf = s.out.buf[:s.localFrom]
		}
		return
	}
	seg := s.queue[len(s.queue)-1]
	if drop {
		seg.w.buf = seg.w.buf[:s.localFrom]
		return
	}
	seg.spellOut()
	seg.parts = append(seg.parts, part{from: s.localFrom, to: seg.w.Len()})
}

// spellOut makes the segment's reply one assembled part by part: it lists
// the parts of the commands it holds so far. Until a local reply or a
// skipped one joins it, a segment's reply is its service's answer as it
// came, and it lists no parts: the parts of sixteen pipelined commands were
// a third of what a read cost in allocations. EXEC's segment lists its
// parts from the start.
func (seg *segment) spellOut() {
	if seg.local {
		return
	}
	seg.local = true
	if seg.exec {
		return
	}
	for i := range seg.b.Cmds {
		seg.parts = append(seg.parts, part{remote: true, i: i})
	}
}

// remote adds a command for target to the open segment, or to a new one.
func (s *session) remote(target *actor.PID, c cmd) { s.remoteShard(target, 0, c) }

// remoteShard is remote for a shard's commands (cluster mode): a segment
// holds one shard's.
func (s *session) remoteShard(target *actor.PID, shard int, c cmd) {
	var seg *segment
	if n := len(s.queue); n > 0 {
		seg = s.queue[n-1]
	}
	if seg == nil || seg.sent || seg.exec || seg.target != target || seg.b.Proto != s.proto || seg.b.Shard != shard {
		seg = s.openRemote(target)
		seg.b.Shard = shard
	}
	if target != s.keySpace {
		s.p.pin() // a shard may run a request whose answer timed out; the broker's segments are not recycled either
	}
	if s.quiet() {
		seg.spellOut() // assembled part by part, to leave this one out
	}
	seg.b.Cmds = append(seg.b.Cmds, c)
	if flat[c.Index].Flags&Blocking != 0 {
		seg.blocking = true
	}
	for _, a := range c.Args {
		seg.held += len(a)
	}
	if seg.local {
		seg.parts = append(seg.parts, part{remote: true, i: len(seg.b.Cmds) - 1, skip: s.quiet()})
	}
}

// openRemote opens a segment for the commands of this read that go to
// target. Its commands' array is sized for as many as the last such
// segment had (a pipelining client sends reads of about the same depth),
// so it is allocated once, not grown command by command; its parts, if it
// comes to need them (spellOut), grow as they come.
func (s *session) openRemote(target *actor.PID) *segment {
	seg := segments.Get().(*segment)
	seg.batch.Proto = s.proto
	if n := min(s.lastDepth, maxDepthHint); n > 1 {
		if cap(seg.batch.Cmds) < n { // a recycled segment keeps its array
			seg.batch.Cmds = make([]cmd, 0, n)
		}
	} else {
		seg.batch.Cmds, seg.parts = seg.cmd1[:0], seg.part1[:0]
	}
	s.sendOpen()
	seg.target, seg.b = target, &seg.batch
	s.queue = append(s.queue, seg)
	return seg
}

// maxDepthHint bounds openRemote's arrays: past it they grow as needed.
const maxDepthHint = 256

// segments recycles the segments of requests the key space has answered,
// with their commands' arrays: a segment and its array were 30% (-P 1) and
// 20% (-P 16) of the bytes the server allocated per command under
// redis-benchmark. A pool, not a segment kept by each session, so that an
// idle connection holds none.
var segments = sync.Pool{New: func() any { return new(segment) }}

// recycle returns a collected segment to segments if nobody else can still
// touch it: the key space answered it (once it has, it no longer holds its
// batch; a crash's failure report carries the request but is never read),
// and it is not EXEC's (whose batch is not the segment's own). A segment
// whose answer did not come (a service gone), a broker's (a publication
// may still be on its way to subscribers) or a shard's (a shard on this
// node may still be running it when its answer timed out) is left to the
// garbage collector. The commands' arguments are dropped, so the pool pins
// no input.
func (s *session) recycle(seg *segment) {
	if !seg.done || seg.exec || seg.target != s.keySpace || seg.b != &seg.batch {
		return
	}
	cmds := seg.batch.Cmds
	clear(cmds)
	*seg = segment{}
	if cap(cmds) > 1 && cap(cmds) <= maxDepthHint {
		seg.batch.Cmds = cmds[:0]
	}
	segments.Put(seg)
}

// openSegment sends the open segment, if any, and opens a new one for b.
func (s *session) openSegment(target *actor.PID, b *batch) *segment {
	s.sendOpen()
	seg := &segment{target: target, b: b}
	s.queue = append(s.queue, seg)
	return seg
}

// sendOpen sends the last segment if it has not been.
func (s *session) sendOpen() {
	n := len(s.queue)
	if n == 0 || s.queue[n-1].sent || s.queue[n-1].filling {
		return
	}
	seg := s.queue[n-1]
	seg.sent = true
	if !seg.exec {
		s.lastDepth = len(seg.b.Cmds)
	}
	if s.gone(seg.target) {
		seg.reply = seg.failed(s.goneText(seg.target))
		return
	}
	s.watch(seg.target)
	seg.b.Wall, seg.b.Mono = s.wall, s.mono
	if s.runDirect(seg) {
		return
	}
	seg.id = s.conn.Request(seg.target, seg.b)
}

// runDirect runs seg on the key space's direct path (direct.go) if it may:
// it is the key space's, every request before it is answered, and the key
// space has answered this session by message (so it has had the
// clientReset, and any peerGone, sent before). It reports whether seg is
// answered.
func (s *session) runDirect(seg *segment) bool {
	if seg.target != s.keySpace || !s.keySpaceHeard || seg.exec || s.srv.clustered.Load() {
		return false
	}
	for _, before := range s.queue[:len(s.queue)-1] {
		if before.reply == nil || before.reply.More {
			return false
		}
	}
	j := s.srv.direct.run(s.ci.pid.Load(), seg.b)
	if j == nil {
		return false
	}
	seg.reply, seg.done = &j.reply, !j.reply.More
	return true
}

// askMore asks for the rest of the head segment, whose last chunk is
// written (collect): it runs it on the direct path if it may (as
// runDirect), and then reports true (the segment has its next answer);
// else it asks the key space by message (more), whose answer comes as any.
func (s *session) askMore() bool {
	seg := s.queue[0]
	if s.gone(seg.target) {
		seg.reply = seg.failed(s.goneText(seg.target))
		return true
	}
	if s.keySpaceHeard && !s.srv.clustered.Load() {
		if j := s.srv.direct.resume(s.ci.pid.Load(), seg.b); j != nil {
			seg.reply, seg.done = &j.reply, !j.reply.More
			return true
		}
	}
	seg.id = s.conn.Request(seg.target, askMore)
	return false
}

// wants is how many replies the segment's answer has: one per command, and
// EXEC's own.
func (seg *segment) wants() int {
	if seg.exec {
		return len(seg.b.Cmds) + 1
	}
	return len(seg.b.Cmds)
}

// failed is the answer of a segment its service did not run: an error for
// each command, and for EXEC one error as its whole reply (an error for the
// array's header and one for each queued command would be replies the
// client never asked for, putting the later ones out of step).
func (seg *segment) failed(text string) *batchReply {
	if !seg.exec {
		return failedBatch(len(seg.b.Cmds)-seg.got, text) // those not answered in chunks yet
	}
	r := failedBatch(1, text)
	r.Aborted = true
	return r
}

// answered files a service's reply with its segment. A reply no segment
// awaits is a failed predecessor's: dropped.
func (s *session) answered(m *messages.ServiceReply) {
	for _, seg := range s.queue {
		if seg.sent && seg.id == m.ID && seg.reply == nil {
			if _, ok := m.Body.(*abandoned); ok {
				seg.reply, seg.local = &batchReply{}, false // the peer is gone: nothing to write
				return
			}
			r, ok := m.Body.(*batchReply)
			if !ok || !seg.fits(r) {
				r = seg.failed(errNotRun)
			} else {
				seg.done = !r.More // a chunk: the key space still holds the batch
				s.keySpaceHeard = s.keySpaceHeard || seg.target == s.keySpace
			}
			seg.reply = r
			return
		}
	}
}

// fits reports whether r answers seg's commands not answered yet: all of
// them, or (a chunk, never EXEC's) some but not all.
func (seg *segment) fits(r *batchReply) bool {
	want := seg.wants() - seg.got
	switch {
	case r.Aborted:
		return seg.got == 0
	case r.More:
		return !seg.exec && len(r.Ends) > 0 && len(r.Ends) < want
	}
	return len(r.Ends) == want
}

// The errors of commands a service did not answer.
const (
	errNotRun      = "ERR internal error: the service did not run this command"
	errServiceGone = "ERR the key space (or pub/sub broker) has stopped: it failed too often; see the server log"
)

// failedBatch stands for a reply that is not one (a service that does not
// know the request, or has stopped): every command gets the error text.
func failedBatch(n int, text string) *batchReply {
	var w Writer
	ends := make([]int, n)
	for i := range ends {
		w.Error(text)
		ends[i] = w.Len()
	}
	return &batchReply{Out: w.buf, Ends: ends}
}

// release hands the key space's job whose fields r is back, once r's bytes
// are copied out: r, its Out and its Ends may be reused from then on.
func (r *batchReply) release() {
	if r.job != nil {
		r.job.release()
	}
}

// collect moves the answered segments at the head of the queue to out. A
// segment answered by a chunk (batchReply.More) has the replies it holds
// moved, and the local ones up to the first remote one it does not hold;
// it stays at the head, and moreOwed says its rest is to be asked for once
// they are written (flush).
func (s *session) collect() {
	for len(s.queue) > 0 && s.queue[0].reply != nil {
		seg := s.queue[0]
		r := seg.reply
		if r.More {
			s.collectChunk(seg, r)
			return
		}
		s.queue[0] = nil
		s.queue = s.queue[1:]
		parts := seg.parts
		if r.Aborted { // EXEC did not run: its reply, then the replies after it
			if !parts[0].skip {
				s.out.Raw(r.Out)
			}
			parts = parts[seg.own:]
		} else if !seg.local {
			s.addReply(r.Out)
			r.release()
			s.recycle(seg)
			continue
		}
		for _, pt := range parts[seg.written:] {
			s.writePart(seg, r, pt)
		}
		r.release()
		s.recycle(seg)
	}
	if len(s.queue) == 0 {
		s.queue = s.queue1[:0] // no array held for an idle connection, none made for the next read
		s.p.release()          // no request owed an answer holds an argument (parse_input.go)
		s.bulkHeld = false     // its CONFIG SET has run: the config has its proto-max-bulk-len
	}
}

// writePart adds part pt of seg, whose answer from command seg.got on is r,
// to out.
func (s *session) writePart(seg *segment, r *batchReply, pt part) {
	switch {
	case pt.skip:
	case !pt.remote:
		s.out.Raw(seg.w.buf[pt.from:pt.to])
	default:
		i, from := pt.i-seg.got, 0
		if i > 0 {
			from = r.Ends[i-1]
		}
		s.out.Raw(r.Out[from:r.Ends[i]])
	}
}

// collectChunk moves what chunk r of the head segment seg answers to out,
// and hands r back: seg waits for its rest (moreOwed).
func (s *session) collectChunk(seg *segment, r *batchReply) {
	if !seg.local {
		s.addReply(r.Out)
	} else {
		for ; seg.written < len(seg.parts); seg.written++ {
			pt := seg.parts[seg.written]
			if pt.remote && pt.i >= seg.got+len(r.Ends) {
				break // the next chunk's
			}
			s.writePart(seg, r, pt)
		}
	}
	seg.got += len(r.Ends)
	seg.reply = nil
	r.release()
	s.moreOwed = true
}

// addReply adds out, a service's reply, to the connection's output. A big
// one becomes the output, when that is empty, instead of being copied into
// it: no job keeps a buffer that big (maxReplyHint), and the copy, into a
// buffer grown to fit, doubled what a big reply cost (GET of a 4 MiB value:
// 8 MiB allocated; TestBigReplyIsNotCopied). flush drops it once written.
func (s *session) addReply(out []byte) {
	if s.out.Len() == 0 && cap(out) > maxKeptOut {
		s.out.buf = out
		return
	}
	s.out.Raw(out)
}

// A service stopped for good (its supervisor's restart budget spent) answers
// nothing: protoactor drops what was queued for it. So the session watches
// each service it sends to, and once one has gone it answers every command
// owed by it, and every later one, with errServiceGone: an error reply, not
// silence, and the connection goes on. (A restart is not a stop: the fresh
// instance answers what was queued.)

// watch watches target, the first time the session sends to it. The key
// space, which nearly every request goes to, is known by a flag: the list
// is an array of its own, whose load was a cache miss per request.
func (s *session) watch(target *actor.PID) {
	if target == s.keySpace && s.keySpaceWatched {
		return
	}
	for _, w := range s.watched {
		if w.Equal(target) {
			return
		}
	}
	s.watched = append(s.watched, target)
	s.conn.Watch(target)
	s.keySpaceWatched = s.keySpaceWatched || target == s.keySpace
}

// gone reports whether target has stopped for good.
func (s *session) gone(target *actor.PID) bool {
	for _, d := range s.stopped {
		if d.Equal(target) {
			return true
		}
	}
	return false
}

// serviceGone answers what pid owed with errServiceGone: it has stopped
// (Terminated), or a request found it gone (DeadLetterResponse).
func (s *session) serviceGone(pid *actor.PID) {
	if pid == nil {
		return
	}
	if !s.gone(pid) {
		s.stopped = append(s.stopped, pid)
	}
	for _, seg := range s.queue {
		if seg.sent && seg.reply == nil && seg.target.Equal(pid) {
			seg.reply = seg.failed(s.goneText(pid))
		}
	}
}

// goneText is the reply to a command for pid once it has stopped for good.
func (s *session) goneText(pid *actor.PID) string {
	if s.shards != nil && pid.Equal(s.shards) {
		return errRouterGone
	}
	return errServiceGone
}

// reportHeld tells the server's memory budget (protocol.Conn.Hold) what the
// session holds for its client: the buffer of the input not yet parsed into
// a command (its capacity: a big bulk's may be up to twice what arrived,
// parser.grow), and the commands and local replies owed behind a service's
// answer, and a transaction's queue (multiState.held: the reads it pins,
// its arguments' slots and its entries). Output already written is the
// socket's; what services queue for the connection counts by itself
// (batchReply.Size).
func (s *session) reportHeld() {
	n := cap(s.p.buf)
	if m := s.multi; m != nil {
		n += m.held + cap(m.cmds)*queuedSize
	}
	for _, seg := range s.queue {
		n += seg.held + len(seg.w.buf)
	}
	if n != s.held {
		s.held = n
		s.conn.Hold(n)
	}
}
