package resp

import "unsafe"

// This file is MULTI/EXEC on the connection's side. Between MULTI and EXEC
// the connection queues commands (+QUEUED); a command refused meanwhile
// (unknown, wrong arity) dooms the transaction (EXECABORT). EXEC sends the
// queued key-space commands to the key space in ONE batch marked Exec, which
// the key space runs with nothing of another connection's between them, and
// refuses (a null array) if a key the connection watches has changed. The
// connection's own commands among them (PING, SELECT, ...) run on the
// connection when EXEC is dispatched, in their place, their replies put in
// their place in EXEC's array.

// multiState is a transaction being queued.
type multiState struct {
	cmds   []queued
	failed bool // a command was refused while queueing: EXECABORT
	// held is the bytes the queue keeps (queueTx): the memory budget counts
	// them as the connection's (reportHeld), so a transaction cannot queue
	// past -memory-budget.
	held int
}

// queuedSize is what one queued command costs beside its arguments: its
// entry in cmds (which grows by doubling: counted at cap) is counted apart.
const (
	queuedSize = int(unsafe.Sizeof(queued{}))
	sliceSize  = int(unsafe.Sizeof([]byte(nil)))
)

// queued is one command of a transaction.
type queued struct {
	spec *Command
	args [][]byte
}

// txControl says whether a command runs at once even inside MULTI.
func txControl(spec *Command) bool {
	switch spec.fullName {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// queueTx queues a command of a transaction.
func (s *session) queueTx(spec *Command, args [][]byte) {
	if spec.Where == OnBroker {
		// A broker command's reply cannot be put inside the key space's
		// atomic batch: refused (see the divergences in the tests).
		s.reject("ERR " + spec.fullName + " is not allowed in a transaction here")
		return
	}
	if s.srv.oom.Load() && s.srv.cfg.maxMemory.Load() > 0 {
		// As Redis: over maxmemory a transaction queues nothing, whatever
		// the command, so queueing cannot take memory without end.
		s.srv.rejected(spec)
		s.reject(errOOM)
		return
	}
	// What the queue keeps until EXEC, past this read, is charged to the
	// connection: the read its arguments are slices of, pinned (the whole
	// buffer, once per read: other commands' bytes in it are kept too), and
	// the arguments' slots.
	if !s.p.pinned {
		s.multi.held += cap(s.p.buf)
	}
	s.p.pin()
	s.multi.held += len(args) * sliceSize
	s.multi.cmds = append(s.multi.cmds, queued{spec: spec, args: args})
	s.ci.multi.Store(int32(len(s.multi.cmds)))
	w := s.local()
	w.Simple("QUEUED")
	s.endLocal()
}

// exec dispatches EXEC: one segment whose request is the Exec batch (always
// sent, even with nothing for the key space, as the key space keeps the
// watches) and whose reply is the transaction's array.
func (s *session) exec(failed bool, cmds []queued) {
	b := &batch{Proto: s.proto, Exec: true, ExecLen: len(cmds), Abort: failed}
	target := s.keySpace
	if s.srv.clustered.Load() {
		shard, refused := execShard(cmds)
		if refused != "" {
			s.local().Error(refused)
			s.endLocal()
			return
		}
		target, b.Shard = s.shards, shard
	}
	seg := s.openSegment(target, b)
	seg.exec = true
	quiet := s.quiet()
	seg.local = seg.local || quiet
	seg.parts = append(seg.parts, part{remote: true, i: 0, skip: quiet}) // the array's header
	// Sent once whole (Received's sendOpen), not by a SUBSCRIBE among its
	// commands, which sends what is open before it tells the broker.
	seg.filling = true
	defer func() { seg.own, seg.filling = len(seg.parts), false }()
	if failed {
		return
	}
	// Each reply is written or not as CLIENT REPLY says once its command has
	// run: a CLIENT REPLY OFF (or ON) among the commands applies from its own
	// reply on, as in Redis, which checks at each reply.
	for _, q := range cmds {
		if q.spec.Where == OnConn {
			w := &seg.w
			w.Proto = s.proto
			from := w.Len()
			s.pushed = false
			runLocal(q.spec, &Call{Args: q.args, W: w, Sess: s, Srv: s.srv, cmd: q.spec, InMulti: true})
			seg.parts = append(seg.parts, part{from: from, to: w.Len(), skip: s.quiet() && !s.pushed}) // a push is written all the same (local)
			s.pushed = false
			seg.local = true
			continue
		}
		b.Cmds = append(b.Cmds, cmd{Index: q.spec.index, DB: s.db, Args: q.args})
		seg.parts = append(seg.parts, part{remote: true, i: len(b.Cmds), skip: s.quiet()})
	}
}

func cmdMulti(c *Call) {
	s := c.Sess
	if s.multi != nil {
		c.W.Error("ERR MULTI calls can not be nested")
		return
	}
	s.multi = &multiState{}
	s.ci.multi.Store(0)
	c.W.OK()
}

// cmdExec is EXEC: its reply comes from the key space, so it writes nothing
// here; exec queues it.
func cmdExec(c *Call) {
	s := c.Sess
	if s.multi == nil {
		c.W.Error("ERR EXEC without MULTI")
		return
	}
	m := s.multi
	s.multi = nil
	s.ci.multi.Store(-1)
	s.execNext = m
}

func cmdDiscard(c *Call) {
	s := c.Sess
	if s.multi == nil {
		c.W.Error("ERR DISCARD without MULTI")
		return
	}
	s.multi = nil
	s.ci.multi.Store(-1)
	s.unwatchNext = true // the key space forgets the watches; its reply, +OK, is DISCARD's
}
