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
// now bob" (not for a /nick to the nick one has). A nick is unique whatever
// its case: with bob taken, Bob and BOB are too (bob may become Bob); room
// names are taken as written. A captured session, server in one terminal,
// two nc clients in two more:
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
// is TooLarge: the lines before it are answered, in order, then comes
// "error: line over 4096 bytes; closing" and the connection closes, and
// nothing sent after it is read. A chat line reaches the others with its control characters (but tab)
// shown as ? and bytes that are not UTF-8 as �, so no member can send another's
// terminal an escape sequence. Nicks are unique server-wide. Lines a client
// sends while a command of its is waiting for the rooms service are held and run
// after it, so input runs in the order typed ("/join lobby" then hi in one paste
// says hi in lobby). A client that sends its lines and closes its side at once
// ("nc -N") still reads every answer: after a peer's EOF a connection stops once
// the replies it owes have come from the rooms service (at most 10 s), as it
// does at shutdown. At most 280 KiB is held so, each line counting its bytes
// and 32 more (so a flood of short lines is bounded too; empty lines, which do
// nothing, are not held): past it the connection is TooLarge ("error: input
// over 280 KiB while waiting for the rooms service; closing"), at once: what
// it held is lost. A client that TCP holds back when the connection stops
// reading at 16 KiB queued never gets there.
//
// # Flood control
//
// A room's input is bounded, and flood control slows the sender, never the
// readers (flood.go). A member's lines go to its room as a request the room
// answers once it has sent them on; a member may have 8 such batches
// unanswered, and its next lines wait for an answer, so one sender has at
// most 8 batches of lines (each at most 16 KiB) at its room at a time (and one sender that
// pipelines is not slowed by a round trip to the room per batch). As IRC
// servers do (RFC 1459, 8.10), every line costs its sender a penalty on a
// timer, 250 ms plus a second per 4 KiB of it; while the timer is at most 5 s
// ahead of the clock (a paste of 20 lines) lines go at once; a line past that
// is sent on to the others, and answered, only once the timer is back within
// 5 s, and the sender's later lines wait for it (so 4 short lines a second, or
// about 3 KiB a second of long ones, may follow for ever); past
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
// # In a cluster
//
// With -cluster (three nodes on one machine, each with its own -port and
// -node-addr, and -peers naming the three -node-addr), connections stay on
// the node that accepted them and each room is a cluster grain (grain.go,
// kind "chatroom", identity the room's name), placed on one node by
// rendezvous hashing over the members, so members on different nodes share a
// room. Each node's rooms service (rooms_cluster.go) still owns its own
// connections, nicks and room memberships and tells a room's grain of its
// members; the grain sends lines straight to the members' connections, on
// whatever node. Everything that crosses nodes is protobuf (package chatpb;
// remote carries nothing else). Every request to another node is one
// attempt within -cluster-request-timeout (protoactor's cluster.Request
// retries, and a retried say would be said twice); one that gets no answer
// is an "error: ..." line, try again.
//
//	node1$ go run . -behavior chat -cluster demo -node-addr 127.0.0.1:17101 -peers 127.0.0.1:17101,127.0.0.1:17102,127.0.0.1:17103 9001
//	(node2 and node3 alike: -node-addr 127.0.0.1:17102 and 9002, 127.0.0.1:17103 and 9003)
//	alice$ nc 127.0.0.1 9001      bob$ nc 127.0.0.1 9002      (both /join lobby: each reads the other's lines)
//
// What is the same as on one node, and where it is not:
//
//   - Lines: every member gets every other member's lines exactly once and
//     in order per sender (one grain handles a room's lines one at a time,
//     and remote keeps one ordered stream per pair of nodes). Flood control
//     works as on one node: the grain answers a batch (chatpb.Say) once it
//     has sent it on, late for a flooder, and a sender has at most 8 batches
//     unanswered, to a room on its own node or another (so what a sender's
//     node queues for a stalled room's node is at most 8 batches of 16 KiB
//     a sender). "* you joined lobby (3 members)" counts every node's.
//     Unlike one node: a member's node that stalls (or falls behind) gets
//     its members' lines only within its send window (cluster.SendWindow,
//     16 MiB unacknowledged; the grain sends them with cluster.Node.Forward):
//     past it the room's node drops lines for that node's members rather
//     than hold every line said meanwhile (TestRoomWindow). They are lost
//     to those members, as lines in flight to a node that dies are.
//   - /who asks the room's grain: every node's members. /rooms asks every
//     node's rooms service and adds their counts; a node that does not
//     answer in time is named ("(not counted: nodes ADDR did not answer)").
//   - Nicks taken with /nick are unique over the cluster: each is claimed
//     at a grain of its own (nicks.go, kind "chatnick"), which frees it when
//     its owner's connection (or node) ends. The guest-N names connections
//     start with are their node's own (every node has a guest-1), and /nick
//     refuses guest-... names in a cluster. A claim lives on one node: if
//     that node dies (or the grain moves), the owner's node claims the nick
//     again at once, and every second while no node answers (with a static
//     list, claims of the nicks that lived there fail meanwhile: "could not
//     be checked"). With etcd another node's /nick may get there first: the
//     owner then gets its guest name and is told ("* your nick alice was
//     taken on another node while its claim moved; you are guest-7").
//   - One activation per room while membership is stable. A grain empty
//     (or a nick free) for 10 s stops.
//   - The node that hosts a room dies (SIGKILL): its own connections are
//     gone (no "left" notice for them). The room's members on other nodes
//     read "* room lobby moved: its node 127.0.0.1:17101 is gone; rejoining
//     (lines in flight may be lost)"; what they say meanwhile gets "error:
//     room lobby is moving; try again in a moment"; each node looks for the
//     room once a second and, once a node hosts it, joins its members again,
//     quietly ("* back in lobby"): the room's membership is rebuilt from the
//     connections' side. With a static -peers list that is when the dead
//     node is back (its share of rooms lives nowhere else); with -etcd, when
//     its lease has expired (measured: 1.0-1.1 s after the kill with
//     -lease-ttl 1s, TestChatNodeDiesEtcd). Lost: the lines the grain had
//     not yet sent on, and those said while the room moved. A room moved by
//     a change of membership (a node joins, with etcd) is told "* room lobby
//     moved: it stopped on node ...".
//   - A grain crashes (PanicRoom): its supervisor is the cluster's placement
//     actor on its node, with protoactor's default strategy (restart, up to
//     10 times in 10 s), not the server's table, and protoactor logs the
//     decision, not a "supervision decision" line. Its old instance tells
//     each member's node, which adds them back and tells them "* room lobby
//     restarted (lines in flight may be lost)", as on one node.
//
// Measured on a loaded machine (BenchmarkChatFanoutCluster in
// behaviors/chat/crossnode: one sender, 30 members spread over three nodes
// beside the same room on one node without a cluster): the cluster delivered
// 0.43-0.73 times the lines per second of one node in three runs, three
// processes sharing two cores with other builds; on a nearly quiet machine
// 0.37 and 0.44 in two runs (docs/cluster.md).
//
// There is no chat command to crash a room: tests use the fault-injection hook,
// srv.Ask("rooms", &chat.PanicRoom{Name: "lobby"}, timeout) (and
// &chat.PanicRooms{} for the service itself), and read the service's state with
// srv.Ask("rooms", &chat.GetStats{}, timeout). In a cluster PanicRoom reaches
// the room's grain, on whatever node (chatpb.Crash); a grain also fails on a
// messages.Inject, the fault the admin endpoint sends.
package chat
