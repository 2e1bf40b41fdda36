package chat

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/messages"
)

// roomsCtx is the little of an actor.Context the rooms service's
// register, join and forget use without a cluster: spawning a room is
// naming it, sends and watches go nowhere.
type roomsCtx struct {
	actor.Context // nil: any other use panics
	spawned       int
}

func (c *roomsCtx) Watch(*actor.PID)     {}
func (c *roomsCtx) Send(*actor.PID, any) {}
func (c *roomsCtx) Poison(*actor.PID)    {}
func (c *roomsCtx) SpawnPrefix(_ *actor.Props, p string) *actor.PID {
	c.spawned++
	return &actor.PID{Id: p + strconv.Itoa(c.spawned)}
}

func heapAfterGC() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestEndedChattersGiveBackTheirMaps ensures the rooms service gives back
// its heap once connections have gone: 100 000 connections registered, each
// in a room of its own, and all but one ended (and their rooms' actors
// stopped). The service lives as long as the server, and a Go map keeps the
// buckets of its deleted keys.
func TestEndedChattersGiveBackTheirMaps(t *testing.T) {
	const n = 100_000
	s := newRoomsService(nil).(*roomsService)
	ctx := &roomsCtx{}
	before := heapAfterGC()
	join := func(id string) {
		s.register(ctx, &actor.PID{Id: id}, &register{Nick: "n" + id, Room: "room-" + id}, &messages.ServiceRequest{})
	}
	join("last")
	for i := range n {
		join("conn-" + strconv.Itoa(i))
	}
	full := heapAfterGC() - before
	for i := range n {
		id := "conn-" + strconv.Itoa(i)
		room := s.rooms.M["room-"+id].pid
		s.onTerminated(ctx, &actor.Terminated{Who: &actor.PID{Id: id}})
		s.onTerminated(ctx, &actor.Terminated{Who: room}) // the emptied room's actor stopped
	}
	kept := heapAfterGC() - before
	if len(s.conns.M) != 1 || len(s.nicks.M) != 1 || len(s.rooms.M) != 1 || len(s.byActor.M) != 1 { // and s is live until here
		t.Fatalf("left: %d connections, %d nicks, %d rooms, %d room actors; want one each", len(s.conns.M), len(s.nicks.M), len(s.rooms.M), len(s.byActor.M))
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 256<<10 {
		t.Errorf("%d connections, all but one ended: %d bytes kept (%d with all of them), over 256 KiB", n, kept, full)
	}
}

// TestLeftMembersGiveBackTheirMaps ensures a room that most of its members
// have left gives back its heap, in the room actor and in the rooms
// service's record of it: 5 000 connections joined one room, and all but
// one left (each leaving is announced to those left: n²/2 sends). The room
// lives while it has members, and every line said in it walks its members'
// map, buckets and all.
func TestLeftMembersGiveBackTheirMaps(t *testing.T) {
	const n = 5_000
	s := newRoomsService(nil).(*roomsService)
	r := newRoom("lobby")
	ctx := &roomsCtx{}
	id := func(i int) string { return "conn-" + strconv.Itoa(i) }
	before := heapAfterGC()
	for i := range n + 1 {
		pid := &actor.PID{Id: id(i)}
		s.register(ctx, pid, &register{Nick: "n" + id(i), Room: "lobby"}, &messages.ServiceRequest{})
		r.onAdd(ctx, &addMember{PID: pid, Nick: "n" + id(i), Quiet: true})
	}
	full := heapAfterGC() - before
	for i := range n {
		s.onTerminated(ctx, &actor.Terminated{Who: &actor.PID{Id: id(i)}})
		r.onRemove(ctx, &removeMember{PID: &actor.PID{Id: id(i)}})
	}
	kept := heapAfterGC() - before
	if e := s.rooms.M["lobby"]; e == nil || len(e.members.M) != 1 || len(r.members.M) != 1 { // and s and r are live until here
		t.Fatalf("the room's members left: want one in the service's record and one in the room")
	}
	t.Logf("%d bytes with all of them, %d kept", full, kept)
	if kept > 64<<10 {
		t.Errorf("%d members of a room, all but one gone: %d bytes kept (%d with all of them), over 64 KiB", n, kept, full)
	}
}
