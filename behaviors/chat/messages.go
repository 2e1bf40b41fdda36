package chat

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// The chat behavior's messages. All plain data (strings, counts, PIDs), sent and
// matched as pointers, immutable once sent, so the rooms service could live on
// another node. Who sends what:
//
//	connection --Request--> rooms:       register, setNick, joinRoom, leaveRoom, listMembers, listRooms
//	rooms      --Reply---> connection:   registered, nickSet, roomJoined, roomLeft, memberList, roomList, refused
//	connection --Request-> room:         say
//	room       --Reply---> connection:   sayHeard (at once, or after say.Hold: room --sayDue--> room)
//	                                     (a held say's lines go to the others then too)
//	rooms      ---------> room:          addMember, removeMember, renameMember, PanicRoom
//	room       ---------> connections:   lineSaid (a line, or a notice such as "* bob joined lobby")
//	rooms      ---------> connections:   roomRestarted, roomClosed, roomsRestarted, roomMoving, roomMoved
//
// In cluster mode a room is a grain (grain.go), maybe on another node, and
// what crosses nodes is protobuf (package chatpb): rooms --Join, Leave,
// Rename, Who--> grain; connection --Say--> grain --SayHeard--> connection;
// grain --Line--> connections; grain --Restarted--> rooms.
//	tests (Server.Ask) --> rooms:        GetStats -> Stats, PanicRoom, PanicRooms

// register is a connection's first request (and again after a restart of the
// rooms service or of its own behavior): claim nick, and re-enter room if not
// empty. The service answers registered, with the nick it gave (nick, or nick
// with a suffix if it was taken).
type register struct {
	Nick string
	Room string
}

type registered struct {
	Nick  string
	Room  *actor.PID // the room re-entered; nil if none
	Grain bool       // Room is a grain (cluster mode): lines go to it as chatpb.Say
}

// setNick asks the rooms service to rename the connection; answered nickSet or
// refused.
type setNick struct{ Nick string }

type nickSet struct{ Nick string }

// joinRoom asks the rooms service to move the connection into Room (made on
// first join), out of the room it is in; answered roomJoined or refused.
type joinRoom struct{ Room string }

type roomJoined struct {
	Room    string
	PID     *actor.PID // where the connection sends its lines
	Members int        // the connection included
	Grain   bool       // PID is a grain (cluster mode): lines go to it as chatpb.Say
}

// leaveRoom asks to leave the current room; answered roomLeft or refused.
type leaveRoom struct{}

type roomLeft struct{ Room string }

// listMembers asks for the nicks in the connection's room; answered memberList
// or refused.
type listMembers struct{}

type memberList struct {
	Room  string
	Nicks []string // sorted
}

// listRooms asks for every room; answered roomList.
type listRooms struct{}

type roomList struct {
	Rooms  []roomCount // sorted by name
	Silent []string    // cluster mode: the nodes that did not answer, whose members are not counted
}

type roomCount struct {
	Name    string
	Members int
}

// refused is the rooms service's answer to a request it cannot grant: Reason is
// the one-line error the connection shows its peer.
type refused struct{ Reason string }

// say is a member's request to its room: lines for the other members, in
// order (those its peer sent in one read, or while its says were
// unanswered). The room sends them on and answers sayHeard, at once, or both
// Hold later (the sender's flood control: flood.go), so a sender has at most
// maxSays says at its room at a time, and none after a held one.
type say struct {
	Lines []string
	Hold  time.Duration
}

// sayHeard is the room's answer to a say.
type sayHeard struct{}

// sayDue is sent to a room by the timer of a say it was asked to hold: the
// room sends its lines on and answers it now. It carries all it needs, so a
// restarted room answers what its old instance owed (the lines go to the
// members the fresh room has been told of by then).
type sayDue struct {
	To    *actor.PID
	ID    uint64
	Seq   uint64   // the room's number for its timer
	Lines []string // the say's lines
}

// IgnoreDeadLetterLogging: a timer that fires after its room has stopped is
// routine.
func (*sayDue) IgnoreDeadLetterLogging() {}

// addMember, removeMember and renameMember are sent by the rooms service to a
// room: every change of membership goes through the service, in its order.
// Quiet: a member re-added after the room restarted (no "joined" notice).
type addMember struct {
	PID   *actor.PID
	Nick  string
	Quiet bool
}

type removeMember struct{ PID *actor.PID }

type renameMember struct {
	PID  *actor.PID
	Nick string
}

// lineSaid is sent to a connection by its room (a member's lines, a join or
// leave notice). Line is ready to write, newline included; one lineSaid is
// shared by every member it goes to, which writes Line as it is: nobody
// changes its bytes once it is sent.
type lineSaid struct {
	Line []byte
}

// Size is what the line counts against the connection's output limit.
func (m *lineSaid) Size() int { return len(m.Line) + 32 }

// IgnoreDeadLetterLogging: a line to a member that has just disconnected is
// routine (its room hears of it a moment later), not worth a log line.
func (*lineSaid) IgnoreDeadLetterLogging() {}

// roomRestarted is sent by the rooms service to each member of a room that was
// restarted by its supervisor: Line tells the peer, and a say the room had
// not answered may be lost with it.
type roomRestarted struct{ Line string }

// Size is what the notice counts against the connection's output limit.
func (m *roomRestarted) Size() int { return len(m.Line) + 32 }

// roomClosed is sent by the rooms service to each member of a room that was
// stopped by its supervisor (it failed too often): the member is in no room now.
type roomClosed struct{ Room string }

// roomMoving is sent by the rooms service (cluster mode) to each member of
// a room whose grain was lost: its node died, or it stopped. Line tells the
// peer ("" for none); the says the grain had not answered are given up, and
// the member's lines wait for roomMoved.
type roomMoving struct {
	Room string
	Line string
}

// Size is what the notice counts against the connection's output limit.
func (m *roomMoving) Size() int { return len(m.Line) + 32 }

// roomMoved is sent by the rooms service (cluster mode) to each member of a
// room once its grain is found again and has them: lines go to PID now.
type roomMoved struct {
	Room string
	PID  *actor.PID
}

// nickLost is sent by the rooms service (cluster mode) to a connection whose
// nick was claimed by another while its claim moved (its grain's node
// died): it is Nick now, and Line tells the peer.
type nickLost struct {
	Nick string
	Line string
}

// roomsRestarted is sent by the rooms service, as its old instance is replaced,
// to every connection it knew: register again (nick and room), since the fresh
// instance knows nobody.
type roomsRestarted struct{}

// GetStats asks the rooms service (Server.Ask) how much it holds; answered
// Stats. Tests use it to see that state is forgotten.
type GetStats struct{}

// Stats is the rooms service's state, in counts.
type Stats struct {
	Conns   int // connections registered (each holds one nick)
	Rooms   int // rooms with members
	Members int // memberships, over all rooms
	Actors  int // room actors alive (a room emptied a moment ago may still be stopping)
}

// PanicRoom is the fault-injection hook (Server.Ask to the rooms service): the
// room called Name panics, as a bug in it would, and its supervisor (the rooms
// service) decides. Answered with the same message, or nil if there is no such
// room.
type PanicRoom struct{ Name string }

// PanicRooms makes the rooms service itself panic (after answering), so its own
// supervisor (the services supervisor) decides.
type PanicRooms struct{}
