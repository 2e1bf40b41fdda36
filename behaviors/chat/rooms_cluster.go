package chat

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/chat/chatpb"
	"async_server/messages"
)

// This file is the rooms service in cluster mode (s.placer set): its rooms
// are grains (grain.go), each on the node the cluster places it on, and the
// service is the authority on its own node's connections only: their nicks,
// and which room each is in. It tells a room's grain of its members (Join,
// Leave, Rename) and watches the grain; the grain's membership is the union
// of what every node's service told it.
//
// A grain is found without blocking (placer, ReenterAfter): a member's
// /join is answered once the grain has it. When a grain is lost (its node
// died: Terminated, AddressTerminated; or it stopped, moved by a change of
// membership) the service tells its members "* room NAME moved: ...", finds
// the room again (every retryFind while no node answers: with a static
// member list a dead node's rooms come back only with it) and joins them
// again, quietly: the room's membership is rebuilt from the connections'
// side, and the lines in flight are lost.

// retryFind is how often a room whose grain is lost is looked for again
// (counted from the start of the attempt that failed: one that waited its
// deadline for a dead node is followed by the next at once, so a room comes
// back within a deadline of its node leaving the member list).
// retryStale is how soon, when the placement gave the grain just lost: its
// placement actor hears of the stop a moment after the watchers do. Past
// staleFor after the loss the same grain is taken as what it then is, a
// fresh one: a node restarted under the same address numbers its
// activations anew, so its grain for the room can have the lost one's id
// (lobby$3 both times), and taken for stale for ever it kept the members
// out while the room was in use.
const (
	retryFind  = time.Second
	retryStale = 20 * time.Millisecond
	staleFor   = retryFind
)

// owedJoin is a request answered once its room's grain is found: a /join
// (roomJoined) or a register that re-enters a room (registered).
type owedJoin struct {
	to       *actor.PID // the connection
	id       uint64     // its request's ID
	register bool
}

// findRoom is sent to the rooms service by a room's retry timer.
type findRoom struct{ Name string }

// enterGrain puts c in the room called name; the grain hears of it now, or
// once it is found.
func (s *roomsService) enterGrain(ctx actor.Context, c *chatter, name string, quiet bool) *roomEntry {
	e := s.rooms.M[name]
	if e == nil {
		e = &roomEntry{}
		s.rooms.Set(name, e)
	}
	e.members.Set(c.pid.Id, true)
	c.room = name
	if e.pid != nil {
		ctx.Send(e.pid, s.joinOf(ctx, c, quiet))
	} else {
		e.loud.Set(c.pid.Id, !quiet)
		s.find(ctx, name, false)
	}
	return e
}

// joinOf is c's Join; its home is this service, by the node's address (it
// may have been spawned before remote gave the node one).
func (s *roomsService) joinOf(ctx actor.Context, c *chatter, quiet bool) *chatpb.Join {
	home := actor.NewPID(ctx.ActorSystem().Address(), ctx.Self().Id)
	return &chatpb.Join{Member: c.pid, Nick: c.nick, Quiet: quiet, Home: home}
}

// joinGrain is the cluster side of a /join: answered once the grain has c.
func (s *roomsService) joinGrain(ctx actor.Context, c *chatter, name string, req *messages.ServiceRequest) {
	if c.room != "" {
		s.leave(ctx, c)
	}
	e := s.enterGrain(ctx, c, name, false)
	e.owed = append(e.owed, owedJoin{to: ctx.Sender(), id: req.ID})
	if e.pid != nil {
		s.answerJoins(ctx, name, e)
	}
}

// find starts looking for the room's grain, unless a look is in flight (or,
// with again, whether or not: the member list changed, and the look in
// flight may be waiting for a node that has left; its answer is ignored).
func (s *roomsService) find(ctx actor.Context, name string, again bool) {
	e := s.rooms.M[name]
	if e == nil || e.pid != nil || (e.finding && !again) {
		return
	}
	s.attempts++
	attempt := s.attempts
	e.attempt = attempt
	fut := s.placer.Find(ctx, name, GrainKind)
	if fut == nil {
		s.found(ctx, name, nil)
		return
	}
	e.finding, e.began = true, time.Now()
	ctx.ReenterAfter(fut, func(res any, err error) {
		if e := s.rooms.M[name]; !s.restarting && e != nil && e.attempt == attempt {
			s.found(ctx, name, foundGrain(res, err))
		}
	})
}

// found joins the room's members to its grain, or gives up the joins that
// wait for it (the room's other members wait on: retryFind).
func (s *roomsService) found(ctx actor.Context, name string, pid *actor.PID) {
	e := s.rooms.M[name]
	if e == nil {
		return // everyone left meanwhile
	}
	e.finding = false
	if pid == nil {
		s.notFound(ctx, name, e)
		return
	}
	if pidKey(pid) == e.lost && time.Since(e.lostAt) < staleFor {
		s.findLater(ctx, name, e, retryStale)
		return
	}
	e.pid = pid
	s.byGrain.Set(pidKey(pid), name)
	ctx.Watch(pid)
	var back []string
	for id := range e.members.M {
		c := s.conns.M[id]
		ctx.Send(pid, s.joinOf(ctx, c, !e.loud.M[id]))
		if !e.owes(c.pid) {
			back = append(back, id)
		}
	}
	clear(e.loud.M)
	s.whenJoined(ctx, name, pid, back, &roomMoved{Room: name, PID: pid})
	s.answerJoins(ctx, name, e)
}

// notFound answers the joins that waited for a grain no node gave: refused
// (a register: in no room), and they are out of the room.
func (s *roomsService) notFound(ctx actor.Context, name string, e *roomEntry) {
	for _, o := range e.owed {
		c := s.conns.M[o.to.Id]
		if c != nil && c.room == name {
			e.members.Delete(c.pid.Id)
			c.room = ""
		}
		var body any = &refused{Reason: "room " + name + " is unavailable (no node answered); try again"}
		if o.register && c != nil {
			body = &registered{Nick: c.nick}
		}
		ctx.Send(o.to, &messages.ServiceReply{ID: o.id, Body: body})
	}
	e.owed = nil
	if len(e.members.M) == 0 {
		s.rooms.Delete(name)
		return
	}
	s.findLater(ctx, name, e, retryFind-time.Since(e.began))
}

// answerJoins answers the joins owed for the room, with its member count
// over every node (the grain's, asked once; this node's if it does not
// answer in time).
func (s *roomsService) answerJoins(ctx actor.Context, name string, e *roomEntry) {
	owed, pid := e.owed, e.pid
	e.owed = nil
	if len(owed) == 0 {
		return
	}
	fut := ctx.RequestFuture(pid, &chatpb.Who{}, s.timeout)
	ctx.ReenterAfter(fut, func(res any, err error) {
		if s.restarting {
			return
		}
		n := len(e.members.M)
		if m, ok := res.(*chatpb.Members); ok && err == nil {
			n = len(m.GetNicks())
		}
		for _, o := range owed {
			c := s.conns.M[o.to.Id]
			if c == nil || c.room != name {
				continue // it ended or left meanwhile
			}
			var body any = &roomJoined{Room: name, PID: pid, Members: n, Grain: true}
			if o.register {
				body = &registered{Nick: c.nick, Room: pid, Grain: true}
			}
			ctx.Send(o.to, &messages.ServiceReply{ID: o.id, Body: body})
		}
	})
}

// owes reports whether a join of pid waits for an answer.
func (e *roomEntry) owes(pid *actor.PID) bool {
	for _, o := range e.owed {
		if o.to.Equal(pid) {
			return true
		}
	}
	return false
}

// leaveGrain takes c out of its room's grain; the grain stops itself when
// its last member (on any node) leaves.
func (s *roomsService) leaveGrain(ctx actor.Context, c *chatter, e *roomEntry) {
	e.members.Delete(c.pid.Id)
	e.loud.Delete(c.pid.Id)
	if e.pid != nil {
		ctx.Send(e.pid, &chatpb.Leave{Member: c.pid})
	}
	if len(e.members.M) == 0 {
		s.dropEntry(ctx, c.room, e)
	}
}

// dropEntry forgets a room this node has no members in.
func (s *roomsService) dropEntry(ctx actor.Context, name string, e *roomEntry) {
	if e.pid != nil {
		ctx.Unwatch(e.pid)
		s.byGrain.Delete(pidKey(e.pid))
	}
	if e.retry != nil {
		e.retry.Stop()
	}
	s.rooms.Delete(name)
}

// whoGrain asks the grain for its members, over every node, once.
func (s *roomsService) whoGrain(ctx actor.Context, c *chatter, req *messages.ServiceRequest) any {
	e := s.rooms.M[c.room]
	if e == nil {
		return &refused{Reason: errNoRoom}
	}
	if e.pid == nil {
		return &refused{Reason: "room " + c.room + " is moving; try again in a moment"}
	}
	to, id, name := ctx.Sender(), req.ID, c.room
	fut := ctx.RequestFuture(e.pid, &chatpb.Who{}, s.timeout)
	ctx.ReenterAfter(fut, func(res any, err error) {
		var body any = &refused{Reason: "room " + name + " did not answer in " + s.timeout.String() + "; try again"}
		if m, ok := res.(*chatpb.Members); ok && err == nil {
			body = &memberList{Room: name, Nicks: m.GetNicks()}
		}
		ctx.Send(to, &messages.ServiceReply{ID: id, Body: body})
	})
	return nil
}
