package chat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/eventstream"

	"async_server/behaviors/chat/chatpb"
	"async_server/internal/shrink"
	"async_server/messages"
	"async_server/supervision"
)

// roomsService is the chat behavior's one service, root/services/rooms: the
// authority on who is connected, under which nick, in which room. It spawns a
// room actor per room on the first join and poisons it when the last member
// leaves; rooms do the fan-out, so lines never pass through here.
//
// It watches every connection that registers and forgets it on Terminated, so
// a connection that ends (in order, reset, closed for its output limit) leaves
// its room and frees its nick.
//
// It is also its rooms' supervisor (it implements actor.SupervisorStrategy,
// which protoactor uses for an actor's children): the table and restart
// intensity of every other supervisor, each decision logged. A restarted room
// starts empty and is given its members back from here, quietly, and they are
// told "* room NAME restarted"; lines the room held when it crashed are lost. A
// room stopped for failing too often is gone: its members are told (roomClosed).
//
// When the service itself is restarted, its rooms are stopped with it and the
// fresh instance knows nobody: the old one tells every connection
// (roomsRestarted), and each registers again with its nick and room. The
// connections, not the crashed instance, are the source of truth.
//
// In cluster mode (placerOf gives a placer) the rooms are grains on any node
// instead of children: rooms_cluster.go.
//
// Its maps shrink (shrink.Map): the service lives as long as the server, and
// 100 000 connections, each in a room of its own, that came and went kept
// 17 MB of buckets before they did.
type roomsService struct {
	conns   shrink.Map[string, *chatter]   // by connection PID id: every registered connection
	nicks   shrink.Map[string, string]     // nick -> connection PID id
	rooms   shrink.Map[string, *roomEntry] // by room name: rooms with members
	byActor shrink.Map[string, string]     // room actor PID id -> room name, until the actor has stopped
	byGrain shrink.Map[string, string]     // cluster mode: watched grain (pidKey) -> room name
	byNick  shrink.Map[string, string]     // cluster mode: watched nick grain (pidKey) -> connection PID id

	placerOf func(*actor.ActorSystem) placer // nil, or nil from it: not clustered
	placer   placer                          // cluster mode: finds the rooms' grains; nil: rooms are children
	timeout  time.Duration                   // cluster mode: one request's deadline at a grain
	attempts uint64                          // cluster mode: Finds started (roomEntry.attempt)
	topology *eventstream.Subscription       // cluster mode: to the member list's changes

	strategy   *supervision.Strategy
	decision   supervision.Decision // the last decision strategy made (observe)
	restarting bool                 // this instance is being replaced: it handles nothing more
}

// chatter is one registered connection.
type chatter struct {
	pid       *actor.PID
	nick      string
	room      string     // "" when in none
	nickGrain *actor.PID // cluster mode: the grain of the nick it claimed (nicks.go); nil for a guest name
}

// roomEntry is one room with members.
type roomEntry struct {
	pid     *actor.PID
	members shrink.Map[string, bool] // connection PID ids

	// Cluster mode only (rooms_cluster.go). pid is the grain's, nil while
	// it is being found.
	loud    shrink.Map[string, bool] // members whose Join, once the grain is found, announces them
	owed    []owedJoin               // requests answered once the grain has their connection
	finding bool                     // a Find is in flight
	began   time.Time                // when the last Find began
	attempt uint64                   // the Find whose answer counts (roomsService.attempts then)
	lost    string                   // the pidKey of the grain last lost: a Find that gives it again soon after is stale
	lostAt  time.Time                // when it was lost
	retry   *time.Timer              // the next Find, while no node gives the grain
}

var (
	_ actor.Actor              = (*roomsService)(nil)
	_ actor.SupervisorStrategy = (*roomsService)(nil)
)

// roomsServiceName is the service's name: root/services/rooms.
const roomsServiceName = "rooms"

func newRoomsService(placerOf func(*actor.ActorSystem) placer) actor.Actor {
	s := &roomsService{placerOf: placerOf}
	s.strategy = supervision.NewStrategy(supervision.DefaultIntensity, func(d supervision.Decision) { s.decision = d })
	return s
}

// Receive dispatches.
func (s *roomsService) Receive(ctx actor.Context) {
	if s.restarting {
		return
	}
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if s.placerOf != nil {
			if s.placer = s.placerOf(ctx.ActorSystem()); s.placer != nil {
				s.timeout = s.placer.Timeout()
				s.watchMembers(ctx)
			}
		}
	case *messages.ServiceRequest:
		if body := s.onRequest(ctx, m); body != nil {
			ctx.Respond(&messages.ServiceReply{ID: m.ID, Body: body})
		}
	case *chatpb.ListRooms:
		ctx.Respond(s.roomCounts())
	case *chatpb.Restarted:
		s.grainRestarted(ctx, m)
	case *reclaimNick:
		s.onReclaim(ctx, m)
	case *findRoom:
		s.find(ctx, m.Name, false)
	case *membersChanged:
		s.onMembersChanged(ctx)
	case *actor.Stopping:
		s.stopTimers()
		s.unwatchMembers(ctx)
	case *actor.Terminated:
		s.onTerminated(ctx, m)
	case *GetStats:
		ctx.Respond(s.stats(ctx))
	case *PanicRoom:
		s.onPanicRoom(ctx, m)
	case *PanicRooms:
		ctx.Respond(m)
		panic(supervision.New(supervision.Internal, "rooms", errPanicRequested))
	case *actor.Restarting:
		s.onRestarting(ctx)
	}
}

// onRequest answers a connection's request; the answer is its reply's body,
// or nil when it is answered later (cluster mode: once a grain answers).
func (s *roomsService) onRequest(ctx actor.Context, req *messages.ServiceRequest) any {
	from, body := ctx.Sender(), req.Body
	if r, ok := body.(*register); ok {
		return s.register(ctx, from, r, req)
	}
	c := s.conns.M[from.Id]
	if c == nil { // it asked before its register reached a restarted service
		return &refused{Reason: "the chat service restarted; try again"}
	}
	switch m := body.(type) {
	case *setNick:
		return s.setNick(ctx, c, m.Nick, req)
	case *joinRoom:
		return s.join(ctx, c, m.Room, req)
	case *leaveRoom:
		if c.room == "" {
			return &refused{Reason: errNoRoom}
		}
		name := c.room
		s.leave(ctx, c)
		return &roomLeft{Room: name}
	case *listMembers:
		if s.placer != nil {
			return s.whoGrain(ctx, c, req)
		}
		return s.members(c)
	case *listRooms:
		if s.placer != nil {
			return s.roomsOfCluster(ctx, req)
		}
		return s.roomList()
	}
	return &refused{Reason: fmt.Sprintf("unknown request %T", body)}
}

// register (re)registers a connection: one that starts, one whose behavior was
// restarted (its old registration goes), or one re-registering after this
// service restarted (with the room it was in).
func (s *roomsService) register(ctx actor.Context, from *actor.PID, r *register, req *messages.ServiceRequest) any {
	if old := s.conns.M[from.Id]; old != nil {
		s.forget(ctx, old)
	}
	c := &chatter{pid: from, nick: s.freeNick(r.Nick)}
	s.conns.Set(from.Id, c)
	s.nicks.Set(nickKey(c.nick), from.Id)
	ctx.Watch(from)
	if r.Room != "" && s.placer != nil {
		e := s.enterGrain(ctx, c, r.Room, true)
		if e.pid != nil {
			return &registered{Nick: c.nick, Room: e.pid, Grain: true}
		}
		e.owed = append(e.owed, owedJoin{to: from, id: req.ID, register: true})
		return nil
	}
	var room *actor.PID
	if r.Room != "" {
		room = s.enter(ctx, c, r.Room, true).pid
	}
	return &registered{Nick: c.nick, Room: room}
}

// nickKey is what a nick is unique by: its lower case, so that "Bob" or
// "BOB" cannot pass for bob (nicks are ASCII: validChatName). A nick is
// shown as its owner gave it; bob may become Bob.
func nickKey(nick string) string { return strings.ToLower(nick) }

// freeNick returns nick if nobody has it, else nick-2, nick-3, ...
func (s *roomsService) freeNick(nick string) string {
	for i, n := 2, nick; ; i++ {
		if _, taken := s.nicks.M[nickKey(n)]; !taken {
			return n
		}
		n = nick + "-" + strconv.Itoa(i)
	}
}

// setNick gives c nick, if nobody else has it. Its own nick again is answered
// as a rename and goes no further: nothing changes, so the room is told
// nothing (and in a cluster no grain is asked).
func (s *roomsService) setNick(ctx actor.Context, c *chatter, nick string, req *messages.ServiceRequest) any {
	if nick == c.nick {
		return &nickSet{Nick: nick}
	}
	if owner, taken := s.nicks.M[nickKey(nick)]; taken && owner != c.pid.Id {
		return &refused{Reason: "nick " + nick + " is taken"}
	}
	if s.placer != nil {
		return s.setNickGrain(ctx, c, nick, req)
	}
	return s.applyNick(ctx, c, nick, nil)
}

// applyNick gives c nick (claimed at grain, in cluster mode).
func (s *roomsService) applyNick(ctx actor.Context, c *chatter, nick string, grain *actor.PID) any {
	if owner, taken := s.nicks.M[nickKey(nick)]; taken && owner != c.pid.Id {
		if grain != nil && (c.nickGrain == nil || !c.nickGrain.Equal(grain)) {
			ctx.Send(grain, &chatpb.ReleaseNick{Owner: c.pid})
		}
		return &refused{Reason: "nick " + nick + " is taken"} // taken here while the grain was asked
	}
	if grain != nil && (c.nickGrain == nil || !c.nickGrain.Equal(grain)) {
		s.releaseNick(ctx, c)
		s.holdNick(ctx, c, grain)
	}
	s.nicks.Delete(nickKey(c.nick))
	c.nick = nick
	s.nicks.Set(nickKey(nick), c.pid.Id)
	switch e := s.rooms.M[c.room]; {
	case e == nil || e.pid == nil: // the Join, once the grain is found, carries the nick
	case s.placer != nil:
		ctx.Send(e.pid, &chatpb.Rename{Member: c.pid, Nick: nick})
	default:
		ctx.Send(e.pid, &renameMember{PID: c.pid, Nick: nick})
	}
	return &nickSet{Nick: nick}
}

func (s *roomsService) join(ctx actor.Context, c *chatter, name string, req *messages.ServiceRequest) any {
	if c.room == name {
		return &refused{Reason: "already in " + name}
	}
	if s.placer != nil {
		s.joinGrain(ctx, c, name, req)
		return nil
	}
	if c.room != "" {
		s.leave(ctx, c)
	}
	e := s.enter(ctx, c, name, false)
	return &roomJoined{Room: name, PID: e.pid, Members: len(e.members.M)}
}

// enter puts c in the room called name, making the room if it has no members.
func (s *roomsService) enter(ctx actor.Context, c *chatter, name string, quiet bool) *roomEntry {
	e := s.rooms.M[name]
	if e == nil {
		// A prefix, not a name: the room's previous actor may still be stopping.
		pid := ctx.SpawnPrefix(actor.PropsFromProducer(func() actor.Actor { return newRoom(name) }), name+"-")
		e = &roomEntry{pid: pid}
		s.rooms.Set(name, e)
		s.byActor.Set(pid.Id, name)
	}
	e.members.Set(c.pid.Id, true)
	c.room = name
	ctx.Send(e.pid, &addMember{PID: c.pid, Nick: c.nick, Quiet: quiet})
	return e
}

// leave takes c out of its room; the last member out poisons the room, after
// the removeMember already queued for it.
func (s *roomsService) leave(ctx actor.Context, c *chatter) {
	e := s.rooms.M[c.room]
	if e == nil {
		c.room = ""
		return
	}
	if s.placer != nil {
		s.leaveGrain(ctx, c, e)
		c.room = ""
		return
	}
	e.members.Delete(c.pid.Id)
	if len(e.members.M) == 0 {
		ctx.Poison(e.pid)
		s.rooms.Delete(c.room)
	} else {
		ctx.Send(e.pid, &removeMember{PID: c.pid})
	}
	c.room = ""
}

// forget drops a connection: out of its room, its nick free.
func (s *roomsService) forget(ctx actor.Context, c *chatter) {
	s.leave(ctx, c)
	s.releaseNick(ctx, c)
	s.nicks.Delete(nickKey(c.nick))
	s.conns.Delete(c.pid.Id)
}

// onTerminated forgets a connection that ended, or a room actor that stopped.
// A room stopped by us (emptied) is only forgotten; one stopped by its
// supervisor while it had members is closed: they are told.
func (s *roomsService) onTerminated(ctx actor.Context, m *actor.Terminated) {
	if s.placer != nil && (s.grainLost(ctx, m) || s.nickLost(ctx, m)) {
		return
	}
	if name, ok := s.byActor.M[m.Who.Id]; ok {
		s.byActor.Delete(m.Who.Id)
		if e := s.rooms.M[name]; e != nil && e.pid.Equal(m.Who) {
			s.rooms.Delete(name)
			for id := range e.members.M {
				if c := s.conns.M[id]; c != nil {
					c.room = ""
					ctx.Send(c.pid, &roomClosed{Room: name})
				}
			}
		}
		return
	}
	if c := s.conns.M[m.Who.Id]; c != nil {
		s.forget(ctx, c)
	}
}
