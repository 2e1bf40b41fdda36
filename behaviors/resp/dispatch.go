package resp

import (
	"strings"
	"sync"
)

// dispatch checks one command against the table, as Redis's processCommand
// does and in its order (unknown command, arity, authentication), and runs
// it where the table says. It is every command's path: what it leaves to
// helpers is only what runs when a check fails or for one command (CONFIG
// SET), so that a command that passes makes no call more than it must.
func (s *session) dispatch(args [][]byte) {
	s.skipThis, s.skipNext = s.skipNext, false
	spec := lookup(args[0])
	if spec == nil {
		s.rejectUnknown(args)
		return
	}
	if len(spec.Subs) > 0 && len(args) >= 2 {
		sub := spec.lookupSub(args[1])
		if sub == nil {
			s.rejectUnknownSub(spec, args[1])
			return
		}
		spec = sub
	}
	s.ci.lastCmd.Store(spec) // refused or queued, it is the last command (Redis's lastcmd)
	if !spec.arityOK(len(args)) {
		s.refuseRejected(spec, arityError(spec.fullName))
		return
	}
	if !s.authed && spec.Flags&NoAuth == 0 {
		s.refuseRejected(spec, "NOAUTH Authentication required.")
		return
	}
	if msg := s.subscribedReject(spec); msg != "" {
		s.srv.observeRefused(spec)
		s.refuse(spec, msg)
		return
	}
	if s.multi != nil && !txControl(spec) {
		s.queueTx(spec, args)
		return
	}
	if s.multi != nil && spec.fullName == "watch" {
		s.rejectWatchInMulti(spec)
		return
	}
	if spec.fullName == "config|set" {
		s.holdConfigBulk(args)
	}
	switch spec.Where {
	case OnConn:
		w := s.local()
		mark, start := w.Len(), s.mono
		runLocal(spec, &Call{Args: args, W: w, Sess: s, Srv: s.srv, cmd: spec})
		end := monoNow()
		s.srv.ran(spec, end-start, w.buf[mark:])
		s.wall, s.mono = s.wall+int64(end-s.mono), end // the next one's start (stamp): one clock read a command
		s.endLocal()
		s.afterLocal()
	case OnBroker:
		s.remote(s.broker, cmd{Index: spec.index, DB: s.db, Args: args})
	default:
		if s.srv.clustered.Load() {
			s.toShard(spec, args)
			return
		}
		s.remote(s.keySpace, cmd{Index: spec.index, DB: s.db, Args: args})
	}
}

// rejectUnknown answers a command the table does not have, as Redis does:
// there is no last command (CLIENT LIST's cmd, Redis's lastcmd, is set at
// the lookup), and the refusal is counted under no command.
func (s *session) rejectUnknown(args [][]byte) {
	s.ci.lastCmd.Store(nil)
	s.srv.observeRefused(nil)
	s.reject(unknownCommand(args))
}

// rejectUnknownSub answers a known command with a subcommand it does not
// have: as for an unknown command there is no last command, but the
// refusal is counted under the container (spec), whose HELP the error names.
func (s *session) rejectUnknownSub(spec *Command, sub []byte) {
	s.ci.lastCmd.Store(nil)
	s.srv.observeRefused(spec)
	s.reject("ERR unknown subcommand '" + cString(sub, 128) + "'. Try " +
		strings.ToUpper(spec.Name) + " HELP.")
}

// refuseRejected refuses a command that failed a check Redis counts in its
// rejected_calls (arity, authentication): it counts it so, then answers msg
// as refuse does.
func (s *session) refuseRejected(spec *Command, msg string) {
	s.srv.rejected(spec)
	s.refuse(spec, msg)
}

// rejectWatchInMulti answers WATCH inside MULTI with an error that, unlike
// reject's, leaves the transaction as it is: it is not queued, and EXEC
// still runs what was.
func (s *session) rejectWatchInMulti(spec *Command) {
	s.srv.observeRefused(spec)
	s.local().Error("ERR WATCH inside MULTI is not allowed")
	s.endLocal()
}

// holdConfigBulk applies, before CONFIG SET runs, the proto-max-bulk-len it
// sets, if it sets one, so that the commands the client sent after it are
// read with the new limit, as Redis reads them (bulkLenAfter, cmd_config.go).
func (s *session) holdConfigBulk(args [][]byte) {
	if n, ok := bulkLenAfter(args); ok {
		s.p.maxBulk, s.bulkHeld = n, true
	}
}

// afterLocal does what a connection command left for after its reply:
// EXEC's batch, DISCARD's unwatch.
func (s *session) afterLocal() {
	if m := s.execNext; m != nil {
		s.execNext = nil
		s.exec(m.failed, m.cmds)
	}
	if s.unwatchNext {
		s.unwatchNext = false
		if s.srv.clustered.Load() { // no watches to forget: DISCARD's +OK
			s.local().OK()
			s.endLocal()
		} else {
			s.remote(s.keySpace, unwatchCmd(s.db))
		}
	}
	if s.resetNext && s.srv.clustered.Load() {
		s.resetNext = false
		s.resetPubSub()
	}
	if s.resetNext {
		s.resetNext = false
		s.unwatchQuietly() // RESET has replied
		s.resetPubSub()
	}
}

// unwatchCmd is an UNWATCH, which the connection sends for DISCARD and RESET.
func unwatchCmd(db int) cmd {
	return cmd{Index: lookup([]byte("unwatch")).index, DB: db, Args: [][]byte{[]byte("unwatch")}}
}

// reject answers a command that is not run with an error; inside MULTI it
// dooms the transaction.
func (s *session) reject(msg string) {
	if s.multi != nil {
		s.multi.failed = true
	}
	s.local().Error(msg)
	s.endLocal()
}

// refuse answers a known command that is not run with an error, as reject
// does, but for EXEC as Redis's rejectCommand does: the transaction, if any,
// is discarded and the watches forgotten, and the error says so
// (EXECABORT, and the reason without its ERR), in MULTI or not.
func (s *session) refuse(spec *Command, msg string) {
	if spec.fullName != "exec" {
		s.reject(msg)
		return
	}
	s.multi = nil
	s.local().Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
	s.endLocal()
	if s.keySpaceWatched && !s.srv.clustered.Load() { // else it watches nothing
		s.unwatchQuietly() // the error was EXEC's reply
	}
}

// unwatchQuietly has the key space forget the connection's watches for a
// command that has replied already: the unwatch's +OK is not written.
func (s *session) unwatchQuietly() {
	quiet := s.skipThis
	s.skipThis = true
	s.remote(s.keySpace, unwatchCmd(s.db))
	s.skipThis = quiet
}

// unknownCommand is Redis 7.0's reply to an unknown command: its name and
// the start of its arguments, each cut at 128 bytes in all (and at a NUL, as
// Redis formats them as C strings).
func unknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(cString(args[0], 128))
	b.WriteString("', with args beginning with: ")
	n := 0
	for _, a := range args[1:] {
		if n >= 128 {
			break
		}
		part := "'" + cString(a, 128-n) + "' "
		b.WriteString(part)
		n += len(part)
	}
	return b.String()
}

// cString is a as C's "%.*s" prints it: up to max bytes, stopping at a NUL.
func cString(a []byte, max int) string {
	for i, c := range a {
		if c == 0 || i == max {
			return string(a[:i])
		}
	}
	return string(a)
}

// runLocal runs a connection command (OnConn) with a copy of call from
// calls: a Call given to a handler's func value escapes, and one allocated
// per command was, at redis-benchmark -P 16 PING, the command's one
// allocation and with its collection 9% of the server's CPU. A handler keeps
// nothing of its Call (its Args go back to the parser's pool after it).
func runLocal(spec *Command, call *Call) {
	c := calls.Get().(*Call)
	*c = *call
	spec.Run(c)
	*c = Call{}
	calls.Put(c)
}

// calls recycles runLocal's Calls.
var calls = sync.Pool{New: func() any { return new(Call) }}
