package chat

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/chat/chatpb"
)

// This file is the rooms service's side of a grain that moves (cluster mode):
// lost (its node died, or it stopped), restarted after a crash, or to be
// looked for again because the member list changed.

// grainLost handles the Terminated of a watched grain and reports whether
// it was one: its members are told (if its node is gone) and it is found
// again.
func (s *roomsService) grainLost(ctx actor.Context, m *actor.Terminated) bool {
	name, ok := s.byGrain.M[pidKey(m.GetWho())]
	if !ok {
		return false
	}
	s.byGrain.Delete(pidKey(m.GetWho()))
	e := s.rooms.M[name]
	if e == nil || !e.pid.Equal(m.GetWho()) {
		return true
	}
	e.pid, e.lost, e.lostAt = nil, pidKey(m.GetWho()), time.Now()
	line := "* room " + name + " moved: it stopped on node " + m.GetWho().GetAddress() + "; rejoining (lines in flight may be lost)\n"
	if m.GetWhy() == actor.TerminatedReason_AddressTerminated {
		line = "* room " + name + " moved: its node " + m.GetWho().GetAddress() + " is gone; rejoining (lines in flight may be lost)\n"
	}
	for id := range e.members.M {
		ctx.Send(s.conns.M[id].pid, &roomMoving{Room: name, Line: line})
	}
	s.find(ctx, name, false)
	return true
}

// grainRestarted adds this node's members back to a grain that was
// restarted (its fresh instance knows nobody), and tells them.
func (s *roomsService) grainRestarted(ctx actor.Context, m *chatpb.Restarted) {
	e := s.rooms.M[m.GetRoom()]

	if e == nil || e.pid == nil {
		return
	}
	notice := &roomRestarted{Line: "* room " + m.GetRoom() + " restarted (lines in flight may be lost)\n"}
	ids := make([]string, 0, len(e.members.M))
	for id := range e.members.M {
		ctx.Send(e.pid, s.joinOf(ctx, s.conns.M[id], true))
		ids = append(ids, id)
	}
	s.whenJoined(ctx, m.GetRoom(), e.pid, ids, notice)
}

// whenJoined sends notice to the members ids of the room once its grain
// has handled the Joins sent it so far (a Who, answered in its mailbox's
// order; or once the deadline passed), so that a member told it is back in
// the room is talked to at once, by every member who was told so too.
func (s *roomsService) whenJoined(ctx actor.Context, name string, pid *actor.PID, ids []string, notice any) {
	if len(ids) == 0 {
		return
	}
	fut := ctx.RequestFuture(pid, &chatpb.Who{}, s.timeout)
	ctx.ReenterAfter(fut, func(any, error) {
		if e := s.rooms.M[name]; s.restarting || e == nil || !e.pid.Equal(pid) {
			return // lost again meanwhile: its members hear of that
		}
		for _, id := range ids {
			if c := s.conns.M[id]; c != nil && c.room == name {
				ctx.Send(c.pid, notice)
			}
		}
	})
}

// membersChanged is sent to the rooms service (cluster mode) when the
// cluster's member list changes: the rooms whose grains are lost are looked
// for at once, on the owner the new list names.
type membersChanged struct{}

// watchMembers subscribes the rooms service to the member list's changes;
// the subscription ends with the instance (unwatchMembers).
func (s *roomsService) watchMembers(ctx actor.Context) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	s.topology = ctx.ActorSystem().EventStream.Subscribe(func(ev any) {
		if _, ok := ev.(*pcluster.ClusterTopology); ok {
			root.Send(self, &membersChanged{}) // the stream's handlers run on the publisher's goroutine
		}
	})
}

func (s *roomsService) unwatchMembers(ctx actor.Context) {
	if s.topology != nil {
		ctx.ActorSystem().EventStream.Unsubscribe(s.topology)
		s.topology = nil
	}
}

// onMembersChanged looks for every lost grain again, at once.
func (s *roomsService) onMembersChanged(ctx actor.Context) {
	for name, e := range s.rooms.M {
		if e.pid == nil {
			s.find(ctx, name, true)
		}
	}
}

// findLater looks for the room's grain again after d.
func (s *roomsService) findLater(ctx actor.Context, name string, e *roomEntry, d time.Duration) {
	self, root := ctx.Self(), ctx.ActorSystem().Root
	e.retry = time.AfterFunc(d, func() { root.Send(self, &findRoom{Name: name}) })
}
