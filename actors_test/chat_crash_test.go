package actors_test

import (
	"testing"

	"async_server/behaviors/chat"
)

// crashRoom injects a panic into the room called name (the fault-injection
// hook of the rooms service).
func (s *testServer) crashRoom(t testing.TB, name string) {
	t.Helper()
	r, err := s.Ask("rooms", &chat.PanicRoom{Name: name}, waitTimeout)
	if _, ok := r.(*chat.PanicRoom); err != nil || !ok {
		t.Fatalf("Ask rooms PanicRoom{%s} = %v, %v; want the PanicRoom back", name, r, err)
	}
}

const roomRestarted = "* room lobby restarted (lines in flight may be lost)"

// TestChatRoomCrash ensures a room that crashes mid-conversation is restarted
// by its supervisor (the decision logged), its members stay connected and are
// told, and it works again with the same members.
func TestChatRoomCrash(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")
	alice.send(t, "before")
	bob.expect(t, "[lobby] alice: before")

	s.crashRoom(t, "lobby")
	alice.expect(t, roomRestarted)
	bob.expect(t, roomRestarted)
	line := s.waitLogLine(t, logLine{"msg": "supervision decision", "service": "rooms", "room": "lobby"})
	checkFields(t, line, logLine{"level": "warning", "category": "Internal", "directive": "Restart",
		"restarts": "1", "budget": "3"})

	alice.send(t, "after")
	bob.expect(t, "[lobby] alice: after")
	bob.send(t, "welcome back")
	alice.expect(t, "[lobby] bob: welcome back")
	bob.roundTrip(t, "/who", "* in lobby: alice, bob")
	s.waitChatStats(t, chat.Stats{Conns: 2, Rooms: 1, Members: 2, Actors: 1})
}

// TestChatRoomCrashLoop ensures a room that fails more often than the restart
// intensity allows (3 in 10 s) is stopped: its members stay connected, are told
// the room closed, and can make it again by joining.
func TestChatRoomCrashLoop(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	for range 3 {
		s.crashRoom(t, "lobby")
		alice.expect(t, roomRestarted)
	}
	s.crashRoom(t, "lobby")
	alice.expect(t, "* room lobby closed (it failed too often); /join it again")
	s.waitLogLine(t, logLine{"msg": "supervision decision", "room": "lobby", "directive": "Stop", "restarts": "4"})
	s.waitChatStats(t, chat.Stats{Conns: 1})

	alice.roundTrip(t, "hello?", "error: no room joined; /join ROOM first")
	alice.roundTrip(t, "/join lobby", "* you joined lobby (1 member)")
	s.waitChatStats(t, chat.Stats{Conns: 1, Rooms: 1, Members: 1, Actors: 1})
}

// TestChatServiceCrash ensures that when the rooms service itself crashes, its
// supervisor restarts it (the decision logged), its rooms go with it, and every
// member stays connected, is told, and is back in its room under its nick.
func TestChatServiceCrash(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")
	carol := s.joinChat(t, "carol", "dev", 0)

	if _, err := s.Ask("rooms", &chat.PanicRooms{}, waitTimeout); err != nil {
		t.Fatalf("Ask rooms PanicRooms: %v", err)
	}
	for _, c := range []struct {
		c    *lineClient
		nick string
	}{{alice, "alice"}, {bob, "bob"}, {carol, "carol"}} {
		c.c.expect(t, "* the rooms service restarted; rejoining", "* you are "+c.nick)
	}
	s.waitLogLine(t, logLine{"msg": "supervision decision", "service": "rooms", "category": "Internal",
		"directive": "Restart"})

	alice.send(t, "still here")
	bob.expect(t, "[lobby] alice: still here")
	carol.roundTrip(t, "/who", "* in dev: carol")
	bob.roundTrip(t, "/rooms", "* rooms: dev (1), lobby (2)")
	s.waitChatStats(t, chat.Stats{Conns: 3, Rooms: 2, Members: 3, Actors: 2})
}
