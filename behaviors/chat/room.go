package chat

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/internal/shrink"
	"async_server/messages"
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
	members shrink.Map[string, *roomMember] // by connection PID id (it shrinks: each line walks it)
	timers  map[uint64]*time.Timer          // of the says held, by sayDue.Seq: stopped with the room
	seq     uint64                          // the last sayDue.Seq
}

type roomMember struct {
	pid  *actor.PID
	nick string
}

var _ actor.Actor = (*room)(nil)

// errPanicRequested is the cause of the room panic PanicRoom asks for.
var errPanicRequested = errors.New("panic requested (PanicRoom)")

func newRoom(name string) *room {
	return &room{name: name, timers: map[uint64]*time.Timer{}}
}

// Receive dispatches.
func (r *room) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ServiceRequest:
		r.onRequest(ctx, m)
	case *sayDue:
		delete(r.timers, m.Seq)
		r.sendOn(ctx, m.To, m.Lines)
		ctx.Send(m.To, &messages.ServiceReply{ID: m.ID, Body: &sayHeard{}})
	case *actor.Stopping:
		for _, t := range r.timers {
			t.Stop()
		}
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

// onRequest takes a member's say: its lines go to the others and the room
// answers, at once, or both after the Hold the say asks for (the sender's
// flood control), from a timer that sends the room a sayDue carrying them.
// Since a sender sends nothing after a held say until it is answered, its
// lines still reach the others in the order it sent them.
func (r *room) onRequest(ctx actor.Context, req *messages.ServiceRequest) {
	m, _ := req.Body.(*say)
	from := ctx.Sender()
	if m == nil || from == nil {
		ctx.Respond(&messages.ServiceReply{ID: req.ID, Body: &sayHeard{}})
		return
	}
	if m.Hold <= 0 {
		r.sendOn(ctx, from, m.Lines)
		ctx.Respond(&messages.ServiceReply{ID: req.ID, Body: &sayHeard{}})
		return
	}
	r.seq++
	due := &sayDue{To: from, ID: req.ID, Seq: r.seq, Lines: m.Lines}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	r.timers[r.seq] = time.AfterFunc(m.Hold, func() { root.Send(self, due) })
}

// sendOn sends a member's lines to the others, in one message. Lines from a
// connection that is not a member (it left, or the room restarted and has not
// been told of it yet) are dropped.
func (r *room) sendOn(ctx actor.Context, from *actor.PID, lines []string) {
	sender, ok := r.members.M[from.Id]
	if !ok {
		return
	}
	prefix := "[" + r.name + "] " + sender.nick + ": "
	n := 0
	for _, l := range lines {
		n += len(prefix) + len(l) + 1
	}
	b := make([]byte, 0, n)
	for _, l := range lines {
		b = append(append(append(b, prefix...), l...), '\n')
	}
	r.send(ctx, from, &lineSaid{Line: b})
}

func (r *room) onAdd(ctx actor.Context, m *addMember) {
	r.members.Set(m.PID.Id, &roomMember{pid: m.PID, nick: m.Nick})
	if !m.Quiet {
		r.broadcast(ctx, m.PID, "* "+m.Nick+" joined "+r.name+"\n")
	}
}

func (r *room) onRemove(ctx actor.Context, m *removeMember) {
	gone, ok := r.members.M[m.PID.Id]
	if !ok {
		return
	}
	r.members.Delete(m.PID.Id)
	r.broadcast(ctx, m.PID, "* "+gone.nick+" left "+r.name+"\n")
}

func (r *room) onRename(ctx actor.Context, m *renameMember) {
	mb, ok := r.members.M[m.PID.Id]
	if !ok {
		return
	}
	old := mb.nick
	mb.nick = m.Nick
	r.broadcast(ctx, m.PID, "* "+old+" is now "+m.Nick+"\n")
}

// broadcast sends line to every member but except.
func (r *room) broadcast(ctx actor.Context, except *actor.PID, line string) {
	r.send(ctx, except, &lineSaid{Line: []byte(line)})
}

// send sends msg to every member but except. One message serves them all:
// it is immutable, and each member writes its bytes as they are, with no
// copy of its own (a batch of lines to 100 members was 100 copies of it,
// most of the fan-out's memory traffic). Sending never blocks; a member that
// does not read is closed by its own output limit, not waited for.
func (r *room) send(ctx actor.Context, except *actor.PID, msg *lineSaid) {
	for id, mb := range r.members.M {
		if id != except.Id {
			ctx.Send(mb.pid, msg)
		}
	}
}
