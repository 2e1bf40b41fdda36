package chat

import (
	"slices"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/chat/chatpb"
	"async_server/messages"
)

// This file is /who and /rooms, and the service's Stats. /rooms in
// cluster mode: every node's rooms service knows only
// its own node's members, so the one asked asks them all (itself included),
// once each within the deadline, and adds up their counts. A node that does
// not answer in time is named in the answer, its members not counted.

// roomsOfCluster answers /rooms once every node has answered or timed out.
func (s *roomsService) roomsOfCluster(ctx actor.Context, req *messages.ServiceRequest) any {
	nodes := s.placer.Nodes()
	if len(nodes) == 0 {
		return s.roomList()
	}
	to, id := ctx.Sender(), req.ID
	counts, left := map[string]int{}, len(nodes)
	var silent []string
	for _, addr := range nodes {
		fut := ctx.RequestFuture(actor.NewPID(addr, ctx.Self().Id), &chatpb.ListRooms{}, s.timeout)
		ctx.ReenterAfter(fut, func(res any, err error) {
			if m, ok := res.(*chatpb.RoomCounts); ok && err == nil {
				for name, n := range m.GetMembers() {
					counts[name] += int(n)
				}
			} else {
				silent = append(silent, addr)
			}
			if left--; left == 0 && !s.restarting {
				ctx.Send(to, &messages.ServiceReply{ID: id, Body: sortedRooms(counts, silent)})
			}
		})
	}
	return nil
}

// roomCounts is this node's part of /rooms: its members per room.
func (s *roomsService) roomCounts() *chatpb.RoomCounts {
	m := make(map[string]int32, len(s.rooms.M))
	for name, e := range s.rooms.M {
		m[name] = int32(len(e.members.M))
	}
	return &chatpb.RoomCounts{Members: m}
}

func sortedRooms(counts map[string]int, silent []string) *roomList {
	list := make([]roomCount, 0, len(counts))
	for name, n := range counts {
		list = append(list, roomCount{Name: name, Members: n})
	}
	slices.SortFunc(list, func(a, b roomCount) int { return strings.Compare(a.Name, b.Name) })
	slices.Sort(silent)
	return &roomList{Rooms: list, Silent: silent}
}

func (s *roomsService) members(c *chatter) any {
	e := s.rooms.M[c.room]
	if e == nil {
		return &refused{Reason: errNoRoom}
	}
	nicks := make([]string, 0, len(e.members.M))
	for id := range e.members.M {
		nicks = append(nicks, s.conns.M[id].nick)
	}
	slices.Sort(nicks)
	return &memberList{Room: c.room, Nicks: nicks}
}

func (s *roomsService) roomList() any {
	list := make([]roomCount, 0, len(s.rooms.M))
	for name, e := range s.rooms.M {
		list = append(list, roomCount{Name: name, Members: len(e.members.M)})
	}
	slices.SortFunc(list, func(a, b roomCount) int { return strings.Compare(a.Name, b.Name) })
	return &roomList{Rooms: list}
}

func (s *roomsService) stats(ctx actor.Context) *Stats {
	st := &Stats{Conns: len(s.conns.M), Rooms: len(s.rooms.M), Actors: len(ctx.Children())}
	for _, e := range s.rooms.M {
		st.Members += len(e.members.M)
	}
	return st
}
