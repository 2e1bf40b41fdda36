package chat

import (
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/chat/chatpb"
	"async_server/supervision"
)

// This file is the rooms service's side of failure: how it supervises its
// rooms, what it does as it is itself replaced, and the fault-injection hook.

// onPanicRoom is the fault-injection hook: the room panics on it.
func (s *roomsService) onPanicRoom(ctx actor.Context, m *PanicRoom) {
	e := s.rooms.M[m.Name]
	if e == nil || e.pid == nil {
		ctx.Respond(&refused{Reason: "no room " + m.Name})
		return
	}
	if s.placer != nil {
		ctx.Send(e.pid, &chatpb.Crash{Category: supervision.Internal.String()})
	} else {
		ctx.Send(e.pid, m)
	}
	ctx.Respond(m)
}

// stopTimers stops the timers of the rooms whose grains are looked for
// again (cluster mode): they would wake an instance that is gone.
func (s *roomsService) stopTimers() {
	for _, e := range s.rooms.M {
		if e.retry != nil {
			e.retry.Stop()
		}
	}
}

// onRestarting runs in the old instance as it is replaced: every connection it
// knew must register again with the fresh one.
func (s *roomsService) onRestarting(ctx actor.Context) {
	s.restarting = true
	s.stopTimers()
	s.unwatchMembers(ctx)
	for _, c := range s.conns.M {
		ctx.Send(c.pid, &roomsRestarted{})
	}
}

// HandleFailure supervises the rooms (see roomsService). It runs on the
// service's goroutine.
func (s *roomsService) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason, msg any) {
	s.strategy.HandleFailure(sys, sup, child, rs, reason, msg)
	d := s.decision
	name := s.byActor.M[child.Id]
	sys.Logger().Warn("supervision decision", "service", roomsServiceName, "room", name,
		"category", d.Category.String(), "directive", strings.TrimSuffix(d.Directive.String(), "Directive"),
		"restarts", d.Restarts, "budget", d.Budget, "cause", fmt.Sprint(d.Cause))
	e := s.rooms.M[name]
	if d.Directive != actor.RestartDirective || e == nil || !e.pid.Equal(child) {
		return // stopped: Terminated follows (onTerminated)
	}
	notice := &roomRestarted{Line: "* room " + name + " restarted (lines in flight may be lost)\n"}
	for id := range e.members.M {
		c := s.conns.M[id]
		sys.Root.Send(child, &addMember{PID: c.pid, Nick: c.nick, Quiet: true})
		sys.Root.Send(c.pid, notice)
	}
}
