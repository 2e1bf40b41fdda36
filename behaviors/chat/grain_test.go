package chat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/chat"
	"async_server/testkit"
)

// These tests run cluster mode's logic (rooms as grains, grain.go and
// rooms_cluster.go) in one process, with the grains placed by the test's own
// placement (export_test.go): the protobuf messages are the ones that cross
// nodes, handed over locally. The cross-node tests are in cluster_test/.

// startGrains starts a chat server whose rooms are grains.
func startGrains(t *testing.T) *testkit.Server {
	t.Helper()
	setup := chat.NewWithLocalGrains(chat.Options{})
	return testkit.StartProtocol(t, setup.Factory, testkit.WithServices(setup.Services...))
}

// join dials a client, takes nick and joins room, where members are already.
func join(t *testing.T, s *testkit.Server, nick, room, joined string) *testkit.Client {
	t.Helper()
	c := s.Dial(t)
	if got := c.ReadLine(); !strings.HasPrefix(got, "* welcome, you are guest-") {
		t.Fatalf("read %q; want the welcome line", got)
	}
	c.SendLine("/nick "+nick, "/join "+room)
	c.ExpectLine("* you are now "+nick, joined)
	return c
}

// TestGrainRoom ensures a room that is a grain behaves as a room does: the
// member count on joining, lines to the others in order, /who, renames and
// leaves told to the others.
func TestGrainRoom(t *testing.T) {
	s := startGrains(t)
	alice := join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
	bob := join(t, s, "bob", "lobby", "* you joined lobby (2 members)")
	alice.ExpectLine("* bob joined lobby")

	alice.SendLine("one", "two", "three")
	bob.ExpectLine("[lobby] alice: one", "[lobby] alice: two", "[lobby] alice: three")
	bob.SendLine("/who", "/rooms")
	bob.ExpectLine("* in lobby: alice, bob", "* rooms: lobby (2)")
	bob.SendLine("/nick bobby")
	bob.ExpectLine("* you are now bobby")
	alice.ExpectLine("* bob is now bobby")
	bob.SendLine("hi")
	alice.ExpectLine("[lobby] bobby: hi")
	bob.SendLine("/leave")
	bob.ExpectLine("* you left lobby")
	alice.ExpectLine("* bobby left lobby")
	bob.SendLine("hello?")
	bob.ExpectLine("error: no room joined; /join ROOM first")
}

// TestGrainStopsWhenEmpty ensures a room's grain stops once its last member
// leaves, and that a join after that makes a fresh one.
func TestGrainStopsWhenEmpty(t *testing.T) {
	s := startGrains(t)
	alice := join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
	waitGrains(t, s, chat.GrainKind, 1)
	alice.SendLine("/leave")
	alice.ExpectLine("* you left lobby")
	waitGrains(t, s, chat.GrainKind, 0)
	alice.SendLine("/join lobby")
	alice.ExpectLine("* you joined lobby (1 member)")
	waitGrains(t, s, chat.GrainKind, 1)
}

// TestGrainMoved ensures the members of a room whose grain is lost are told,
// joined to a fresh grain without a word from them, and talk on in it; also
// when the fresh grain has the lost one's id (a node restarted under the
// same address numbers its activations anew: lobby$3 both times). The rooms
// service takes a lookup that gives the lost grain for the placement's lag
// only for a moment after the loss; before, it took it so for ever, and the
// members stayed out of the room while it was in use.
func TestGrainMoved(t *testing.T) {
	for _, sameID := range []bool{false, true} {
		t.Run(map[bool]string{false: "fresh id", true: "same id"}[sameID], func(t *testing.T) {
			s := startGrains(t)
			if sameID {
				if _, err := s.Ask(chat.GrainsService, &chat.ReuseIDs{}, s.Timeout); err != nil {
					t.Fatalf("ReuseIDs: %v", err)
				}
			}
			alice := join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
			bob := join(t, s, "bob", "lobby", "* you joined lobby (2 members)")
			alice.ExpectLine("* bob joined lobby")

			if _, err := s.Ask(chat.GrainsService, &chat.StopGrain{Room: "lobby"}, s.Timeout); err != nil {
				t.Fatalf("StopGrain: %v", err)
			}
			for _, c := range []*testkit.Client{alice, bob} {
				if got := c.ReadLine(); !strings.HasPrefix(got, "* room lobby moved: ") ||
					!strings.HasSuffix(got, "; rejoining (lines in flight may be lost)") {
					t.Fatalf("read %q; want the room's move told", got)
				}
				c.ExpectLine("* back in lobby")
			}
			alice.SendLine("still here")
			bob.ExpectLine("[lobby] alice: still here")
			bob.SendLine("/who")
			bob.ExpectLine("* in lobby: alice, bob")
		})
	}
}

// TestGrainCrash ensures a grain that crashes (the fault-injection hook) is
// restarted, its members put back by their rooms service and told, as a
// room's are on one node.
func TestGrainCrash(t *testing.T) {
	s := startGrains(t)
	alice := join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
	bob := join(t, s, "bob", "lobby", "* you joined lobby (2 members)")
	alice.ExpectLine("* bob joined lobby")

	if _, err := s.Ask("rooms", &chat.PanicRoom{Name: "lobby"}, s.Timeout); err != nil {
		t.Fatalf("Ask rooms PanicRoom: %v", err)
	}
	alice.ExpectLine("* room lobby restarted (lines in flight may be lost)")
	bob.ExpectLine("* room lobby restarted (lines in flight may be lost)")
	alice.SendLine("after")
	bob.ExpectLine("[lobby] alice: after")
	alice.SendLine("/who")
	alice.ExpectLine("* in lobby: alice, bob")
}

// TestGrainNicks ensures nicks are claimed at their grains: one taken is
// refused, one given up (a new nick, or the connection ended) is free, and
// the guest names, each node's own in a cluster, cannot be taken; in any
// case (a nick's grain is its lower case).
func TestGrainNicks(t *testing.T) {
	s := startGrains(t)
	alice := join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
	bob := join(t, s, "bob", "lobby", "* you joined lobby (2 members)")
	alice.ExpectLine("* bob joined lobby")
	bob.SendLine("/nick alice", "/nick guest-9", "/nick Alice", "/nick GUEST-9")
	bob.ExpectLine("error: nick alice is taken", "error: nick guest-9 is taken (guest names are each node's own)",
		"error: nick Alice is taken", "error: nick GUEST-9 is taken (guest names are each node's own)")
	alice.SendLine("/nick al")
	alice.ExpectLine("* you are now al")
	bob.ExpectLine("* alice is now al")
	bob.SendLine("/nick alice")
	bob.ExpectLine("* you are now alice")
	alice.ExpectLine("* bob is now alice")
	waitGrains(t, s, chat.NickKind, 2) // al, alice: bob's old nick is free
	alice.Conn.Close()
	bob.ExpectLine("* al left lobby")
	waitGrains(t, s, chat.NickKind, 1)
	bob.SendLine("/nick al")
	bob.ExpectLine("* you are now al")
}

// TestGrainNickMoved ensures a nick whose grain is lost (its node died, or
// it moved) is claimed again by its owner's node, so nobody else can take it.
func TestGrainNickMoved(t *testing.T) {
	s := startGrains(t)
	_ = join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
	bob := join(t, s, "bob", "lobby", "* you joined lobby (2 members)")
	old := grainPID(t, s, chat.NickKind, "alice")
	if _, err := s.Ask(chat.GrainsService, &chat.StopGrain{Nick: "alice"}, s.Timeout); err != nil {
		t.Fatalf("StopGrain: %v", err)
	}
	deadline := time.Now().Add(s.Timeout)
	for pid := old; pid == nil || pid.Equal(old); pid = grainPID(t, s, chat.NickKind, "alice") {
		if time.Now().After(deadline) {
			t.Fatalf("nick alice's grain: %v; want a new one, claimed again", pid)
		}
		time.Sleep(5 * time.Millisecond) // a poll of the placement's state, not a guess
	}
	bob.SendLine("/nick alice")
	bob.ExpectLine("error: nick alice is taken")
}

func grainPID(t *testing.T, s *testkit.Server, kind, identity string) *actor.PID {
	t.Helper()
	got, err := s.Ask(chat.GrainsService, &chat.GrainPID{Kind: kind, Identity: identity}, s.Timeout)
	if err != nil {
		t.Fatalf("GrainPID: %v", err)
	}
	pid, _ := got.(*actor.PID)
	return pid
}

// waitGrains waits until the test placement has n grains of kind alive.
func waitGrains(t *testing.T, s *testkit.Server, kind string, n int) {
	t.Helper()
	deadline := time.Now().Add(s.Timeout)
	for {
		got, err := s.Ask(chat.GrainsService, &chat.CountGrains{Kind: kind}, s.Timeout)
		if err == nil && got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("grains alive: %v (%v); want %d", got, err, n)
		}
		time.Sleep(5 * time.Millisecond) // a poll of the placement's state, not a guess
	}
}

// TestGrainServiceCrash ensures that when a node's rooms service crashes,
// its connections register again with the fresh one and are back in their
// grains (which kept them) under their nicks, and talk on.
func TestGrainServiceCrash(t *testing.T) {
	s := startGrains(t)
	alice := join(t, s, "alice", "lobby", "* you joined lobby (1 member)")
	bob := join(t, s, "bob", "lobby", "* you joined lobby (2 members)")
	alice.ExpectLine("* bob joined lobby")

	if _, err := s.Ask("rooms", &chat.PanicRooms{}, s.Timeout); err != nil {
		t.Fatalf("Ask rooms PanicRooms: %v", err)
	}
	alice.ExpectLine("* the rooms service restarted; rejoining", "* you are alice")
	bob.ExpectLine("* the rooms service restarted; rejoining", "* you are bob")
	alice.SendLine("still here", "/who")
	bob.ExpectLine("[lobby] alice: still here")
	alice.ExpectLine("* in lobby: alice, bob")
	bob.SendLine("/leave")
	bob.ExpectLine("* you left lobby")
	alice.ExpectLine("* bob left lobby")
}
