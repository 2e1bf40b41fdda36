package chat

import (
	"errors"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/supervision"
)

// room is one chat room: a child of the rooms service, made on the first join
// and poisoned when its last member leaves. Its one job is fan-out: a line a
// member says goes to every other member, and since a room handles one message
// at a time, every member sees each sender's lines once and in order.
//
// Membership is the rooms service's: the room only mirrors it (addMember,
// removeMember, renameMember come from the service, in the service's order). So
// when a room crashes and is restarted, the fresh instance starts empty and the
// service adds the members back (roomsService.HandleFailure).
type room struct {
	name    string
	members map[string]*roomMember // by connection PID id
}

type roomMember struct {
	pid  *actor.PID
	nick string
}

var _ actor.Actor = (*room)(nil)

// errPanicRequested is the cause of the room panic PanicRoom asks for.
var errPanicRequested = errors.New("panic requested (PanicRoom)")

func newRoom(name string) *room { return &room{name: name, members: map[string]*roomMember{}} }

// Receive dispatches.
func (r *room) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *say:
		r.onSay(ctx, m)
	case *addMember:
		r.onAdd(ctx, m)
	case *removeMember:
		r.onRemove(ctx, m)
	case *renameMember:
		r.onRename(ctx, m)
	case *PanicRoom:
		panic(supervision.New(supervision.Internal, "room "+r.name, errPanicRequested))
	}
}

// onSay sends a member's lines to the others, in one message. A line from a connection that is
// not a member (it left, or the room restarted and has not been told of it yet)
// is dropped.
func (r *room) onSay(ctx actor.Context, m *say) {
	from := ctx.Sender()
	if from == nil {
		return
	}
	sender, ok := r.members[from.Id]
	if !ok {
		return
	}
	prefix := "[" + r.name + "] " + sender.nick + ": "
	var b strings.Builder
	for _, l := range m.Lines {
		b.Grow(len(prefix) + len(l) + 1)
		b.WriteString(prefix)
		b.WriteString(l)
		b.WriteByte('\n')
	}
	r.broadcast(ctx, from, b.String())
}

func (r *room) onAdd(ctx actor.Context, m *addMember) {
	r.members[m.PID.Id] = &roomMember{pid: m.PID, nick: m.Nick}
	if !m.Quiet {
		r.broadcast(ctx, m.PID, "* "+m.Nick+" joined "+r.name+"\n")
	}
}

func (r *room) onRemove(ctx actor.Context, m *removeMember) {
	gone, ok := r.members[m.PID.Id]
	if !ok {
		return
	}
	delete(r.members, m.PID.Id)
	r.broadcast(ctx, m.PID, "* "+gone.nick+" left "+r.name+"\n")
}

func (r *room) onRename(ctx actor.Context, m *renameMember) {
	mb, ok := r.members[m.PID.Id]
	if !ok {
		return
	}
	old := mb.nick
	mb.nick = m.Nick
	r.broadcast(ctx, m.PID, "* "+old+" is now "+m.Nick+"\n")
}

// broadcast sends line to every member but except. One message serves them
// all: it is immutable. Sending never blocks; a member that does not read is
// closed by its own output limit, not waited for.
func (r *room) broadcast(ctx actor.Context, except *actor.PID, line string) {
	msg := &lineSaid{Line: line}
	for id, mb := range r.members {
		if id != except.Id {
			ctx.Send(mb.pid, msg)
		}
	}
}
