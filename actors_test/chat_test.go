package actors_test

import (
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"async_server/behaviors/chat"
)

// TestChatConversation ensures the commands work as package chat's documentation shows:
// nicks, joining, a line reaching the other member (not its sender), /who,
// /rooms, join and leave notices, /leave and /quit.
func TestChatConversation(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")

	alice.send(t, "hi bob")
	bob.expect(t, "[lobby] alice: hi bob")
	bob.roundTrip(t, "/who", "* in lobby: alice, bob")
	bob.roundTrip(t, "/rooms", "* rooms: lobby (2)")
	bob.roundTrip(t, "/nick robert", "* you are now robert")
	alice.expect(t, "* bob is now robert")
	bob.send(t, "hello")
	alice.expect(t, "[lobby] robert: hello")

	bob.roundTrip(t, "/join dev", "* you joined dev (1 member)")
	alice.expect(t, "* robert left lobby")
	alice.roundTrip(t, "/rooms", "* rooms: dev (1), lobby (1)")
	alice.roundTrip(t, "/leave", "* you left lobby")
	alice.roundTrip(t, "/rooms", "* rooms: dev (1)")
	alice.roundTrip(t, "/quit", "* bye")
	alice.expectEOF(t)
	s.waitChatStats(t, chat.Stats{Conns: 1, Rooms: 1, Members: 1, Actors: 1})
}

// TestChatNickUnchanged ensures "/nick NAME" with the nick one already has
// answers as a rename but tells the room nothing: it told the others
// "* bob is now bob" (and in a cluster refused a guest its own guest name).
func TestChatNickUnchanged(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")
	bob.roundTrip(t, "/nick bob", "* you are now bob")
	bob.send(t, "still bob")
	alice.expect(t, "[lobby] bob: still bob")
}

// TestChatNickCase ensures a nick is unique whatever its case: "BOB" or
// "Bob" could be taken beside bob, and pass for him. Its owner may change
// its case, which renames it as any other nick.
func TestChatNickCase(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")
	alice.roundTrip(t, "/nick BOB", "error: nick BOB is taken")
	alice.roundTrip(t, "/nick Bob", "error: nick Bob is taken")
	bob.roundTrip(t, "/nick Bob", "* you are now Bob")
	alice.expect(t, "* bob is now Bob")
	alice.roundTrip(t, "/nick bob", "error: nick bob is taken")
	bob.roundTrip(t, "/nick robert", "* you are now robert")
	alice.expect(t, "* Bob is now robert")
	alice.roundTrip(t, "/nick bob", "* you are now bob")
}

// TestChatPipelined ensures lines sent in one write, behind a request, run in
// order: the line after /join is said in the room joined.
func TestChatPipelined(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.dialChat(t, "bob")
	bob.send(t, "/join lobby\nfirst\n/nick b2\nsecond\n/who")
	bob.expect(t, "* you joined lobby (2 members)", "* you are now b2", "* in lobby: alice, b2")
	alice.expect(t, "* bob joined lobby", "[lobby] bob: first", "* bob is now b2", "[lobby] b2: second")
}

// TestChatBadInput ensures every bad line gets its one-line error and the
// connection goes on; a line over 4 KiB is TooLarge: an error line, then the
// connection is closed and the decision logged.
func TestChatBadInput(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	alice := s.dialChat(t, "alice")
	bob := s.dialChat(t, "bob")
	for _, tt := range []struct{ line, reply string }{
		{"hello", "error: no room joined; /join ROOM first"},
		{"/leave", "error: no room joined; /join ROOM first"},
		{"/who", "error: no room joined; /join ROOM first"},
		{"/dance", "error: unknown command /dance; commands: /nick NAME, /join ROOM, /leave, /who, /rooms, /quit"},
		{"/nick alice", "error: nick alice is taken"},
		{"/nick bad nick", `error: bad nick "bad nick": use 1 to 32 letters, digits, - or _`},
		{"/join", "error: usage: /join ROOM"},
		{"/join a/b", `error: bad room name "a/b": use 1 to 32 letters, digits, - or _`},
		{"/quit now", "error: usage: /quit (no argument)"},
		{"/rooms", "* no rooms; /join ROOM makes one"},
	} {
		bob.roundTrip(t, tt.line, tt.reply)
	}
	bob.roundTrip(t, "/join lobby", "* you joined lobby (1 member)")
	bob.roundTrip(t, "/join lobby", "error: already in lobby")

	bob.send(t, strings.Repeat("x", 5000))
	bob.expect(t, "error: line over 4096 bytes; closing")
	bob.expectEOF(t)
	s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "TooLarge", "directive": "Stop"})
	s.waitChatStats(t, chat.Stats{Conns: 1}) // bob, his nick and his room are forgotten
	alice.roundTrip(t, "/rooms", "* no rooms; /join ROOM makes one")
}

// TestChatTooLargeAnswersFirst ensures the lines before one over 4 KiB are
// answered, in order, before its error line and the close, as at the peer's
// EOF: all in one write, the first two still wait for the rooms service when
// the long line is read.
func TestChatTooLargeAnswersFirst(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	bob := s.dialChat(t, "bob")
	bob.send(t, "/join r\n/who\n"+strings.Repeat("x", 5000)+"\n/rooms")
	bob.expect(t, "* you joined r (1 member)", "* in r: bob", "error: line over 4096 bytes; closing")
	bob.expectEOF(t)
	s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "TooLarge", "directive": "Stop"})
	s.waitChatStats(t, chat.Stats{})
}

// TestChatHalfClose ensures a client that sends its lines and closes its side
// at once (nc -N, shutdown(SHUT_WR)) still reads every answer: the rooms
// service's replies come after the EOF, and the connection waits for them
// before it closes.
func TestChatHalfClose(t *testing.T) {
	s := startBehavior(t, "chat", nil)
	for i := range 20 {
		c := s.dial(t).(*net.TCPConn)
		// A room of its own: the last run's member may not have left its room yet.
		nick, room := fmt.Sprintf("zed%d", i), fmt.Sprintf("room%d", i)
		if _, err := fmt.Fprintf(c, "/nick %s\n/join %s\n/who\n", nick, room); err != nil {
			t.Fatal(err)
		}
		if err := c.CloseWrite(); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("run %d: reading to EOF: %v (read %q)", i, err, got)
		}
		lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
		want := []string{"* you are now " + nick, "* you joined " + room + " (1 member)", "* in " + room + ": " + nick}
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "* welcome") || !slices.Equal(lines[1:], want) {
			t.Fatalf("run %d: read %q; want the welcome line, then %q", i, lines, want)
		}
	}
}
