// Package chat is the chat behavior (-behavior chat): line-based chat rooms for
// nc, with the rooms as actors. It is the worked example of a message-driven
// behavior: one connection's session (chat.go) talks by messages
// (messages.go) to the rooms service (rooms.go), which supervises one actor per
// room (room.go, supervise.go). The Example of package protocol shows the same
// pattern in one file.
//
// # Commands
//
// Commands: "/nick NAME", "/join
// ROOM" (made on first join, gone when empty), /leave, /who (the members of your
// room, you included), /rooms, /quit; any other line goes to the other members
// of your room as "[room] nick: text". A new connection is guest-N (from its
// conn-N) and gets one welcome line. The others in your room see "* bob joined
// lobby", "* bob left lobby" (also when bob's connection ends) and "* alice is
// now bob". A captured session, server in one terminal, two nc clients in two
// more:
//
//	$ go run . -behavior chat 9000
//	async_server: chat listening on 127.0.0.1:9000 (log: server.log)
//
//	alice$ nc 127.0.0.1 9000
//	* welcome, you are guest-1; commands: /nick NAME, /join ROOM, /leave, /who, /rooms, /quit
//	/nick alice
//	* you are now alice
//	/join lobby
//	* you joined lobby (1 member)
//	* bob joined lobby
//	hi bob
//	[lobby] bob: hello alice
//	/leave
//	* you left lobby
//	anyone?
//	error: no room joined; /join ROOM first
//
//	bob$ nc 127.0.0.1 9000
//	* welcome, you are guest-2; commands: /nick NAME, /join ROOM, /leave, /who, /rooms, /quit
//	/nick bob
//	* you are now bob
//	/join lobby
//	* you joined lobby (2 members)
//	[lobby] alice: hi bob
//	hello alice
//	/who
//	* in lobby: alice, bob
//	/rooms
//	* rooms: lobby (2)
//	/nick alice
//	error: nick alice is taken
//	/dance
//	error: unknown command /dance; commands: /nick NAME, /join ROOM, /leave, /who, /rooms, /quit
//	* alice left lobby
//	/quit
//	* bye
//
// # Bad input and limits
//
// Bad input gets one "error: ..." line and the connection goes on (unknown
// command, taken nick, no room joined, a bad nick or room name: 1 to 32 letters,
// digits, - or _, a command with a missing or extra argument). A line over 4 KiB
// is TooLarge: "error: line over 4096 bytes; closing", then the connection
// closes. A chat line reaches the others with its control characters (but tab)
// shown as ? and bytes that are not UTF-8 as �, so no member can send another's
// terminal an escape sequence. Nicks are unique server-wide. Lines a client
// sends while a command of its is waiting for the rooms service are held and run
// after it, so input runs in the order typed ("/join lobby" then hi in one paste
// says hi in lobby). A client that sends its lines and closes its side at once
// ("nc -N") still reads every answer: after a peer's EOF a connection stops once
// the replies it owes have come from the rooms service (at most 10 s), as it
// does at shutdown. At most 256 KiB is held so, each line counting its bytes
// and 32 more (so a flood of empty lines is bounded too): past it the
// connection is TooLarge ("error: input over 256 KiB while waiting for the
// rooms service; closing").
//
// # Flood control
//
// A room's input is bounded, and flood control slows the sender, never the
// readers (flood.go). A member's lines go to its room as a request the room
// answers once it has sent them on; a member may have 3 such batches
// unanswered, and its next lines wait for an answer, so one sender has at
// most 3 batches of lines at its room at a time (and one sender that
// pipelines is not slowed by a round trip to the room per batch). As IRC
// servers do (RFC 1459, 8.10), every line costs its sender a penalty on a
// timer, 250 ms plus a second per 4 KiB of it; while the timer is at most 5 s
// ahead of the clock (a paste of 20 lines) lines go at once; past that the
// room answers only once the timer is back within 5 s (so 4 short lines a
// second, or about 3 KiB a second of long ones, may follow for ever); past
// 15 s ahead the connection is closed: "error: excess flood; closing"
// (TooLarge). A room therefore moves no faster than its talkers' penalties
// allow, and only a member slower than that falls behind and is cut by its
// output limit. Options sets the numbers (behaviors.Options.Chat); its zero
// value has no flood control (the fan-out benchmark runs so).
//
// # Crashes
//
// Crashes, each a "supervision decision" line in the log
// (actors_test/chat_crash_test.go):
//
//   - A room crashes ("service=rooms room=lobby category=Internal
//     directive=Restart"): the rooms service is each room's supervisor, with the
//     same table and restart intensity as everyone. The restarted room starts
//     empty and the service, which owns membership, gives it its members back;
//     they stay connected, keep their room and are told "* room lobby restarted
//     (lines in flight may be lost)": the line being fanned out when it crashed,
//     and lines that reached the room before its members were back, are lost. A
//     fourth crash within 10 s stops the room: its members are told "* room
//     lobby closed (it failed too often); /join it again" and are in no room.
//   - The rooms service crashes ("service=rooms category=Internal
//     directive=Restart", from the services supervisor): its rooms stop with it
//     and the fresh instance knows nobody. The old instance, as it is replaced
//     (*actor.Restarting), tells every connection it knew; each registers again
//     with its nick and room ("* the rooms service restarted; rejoining", "* you
//     are alice"). The connections, not the instance that crashed, are the
//     source of truth. A command in flight when it crashed may go unanswered.
//
// There is no chat command to crash a room: tests use the fault-injection hook,
// srv.Ask("rooms", &chat.PanicRoom{Name: "lobby"}, timeout) (and
// &chat.PanicRooms{} for the service itself), and read the service's state with
// srv.Ask("rooms", &chat.GetStats{}, timeout).
package chat
