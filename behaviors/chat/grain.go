package chat

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/chat/chatpb"
	acluster "async_server/cluster"
	"async_server/messages"
	"async_server/supervision"
)

// GrainKind is the cluster kind of a chat room in cluster mode: one grain
// per room, its identity the room's name, placed by the cluster on one of
// the nodes (rendezvous hashing over the member list).
const GrainKind = "chatroom"

// grain is a chat room in cluster mode: room.go's fan-out, for members on
// any node. Its members are connections of many nodes; each node's rooms
// service adds and removes its own (Join, Leave, Rename, sent with the
// service as sender: the member's home), so the room's membership is the
// union of what the nodes' rooms services told it, and a grain that is lost
// (its node died) is rebuilt from that side (rooms_cluster.go).
//
// Every message it takes or sends is protobuf (chatpb): remote carries
// nothing else. A member's lines come as a Say from the member's connection
// and go to every other member as a Line, in the order the grain handles
// them, so each member gets each sender's lines once and in order (remote
// keeps one ordered stream per pair of nodes). A Say is sent on and
// answered SayHeard at once, or both its hold later for a flooding sender
// (flood.go), as a room takes a say.
//
// It watches its members, so a member whose node dies (no rooms service is
// left to send Leave) is dropped with a "left" notice. It stops itself once
// it has been empty for linger (a Join that reached it after that would be
// lost with it, and the joiner's rooms service, which watches the grain,
// would join again, telling its members the room moved): a room left and
// joined again at once keeps its grain.
type grain struct {
	name    string
	members map[string]*grainMember // by pidKey
	timers  map[uint64]*time.Timer  // of the says held, by grainSayDue.Seq
	seq     uint64
	idle    idleStop
}

// Linger is how long an empty grain (a room's, a nick's) waits before it
// stops.
const Linger = 10 * time.Second

// idleStop stops a grain that has been idle (empty, or free) for linger.
type idleStop struct {
	linger time.Duration
	gen    uint64      // the latest idle period's number
	timer  *time.Timer // its end; nil while busy
}

// grainIdle is sent to a grain by its idle timer.
type grainIdle struct{ Gen uint64 }

// IgnoreDeadLetterLogging: a timer that fires after its grain stopped is routine.
func (*grainIdle) IgnoreDeadLetterLogging() {}

// start begins an idle period, which ends in a grainIdle after linger.
func (i *idleStop) start(ctx actor.Context) {
	i.stop()
	i.gen++
	msg, self, root := &grainIdle{Gen: i.gen}, ctx.Self(), ctx.ActorSystem().Root
	i.timer = time.AfterFunc(i.linger, func() { root.Send(self, msg) })
}

// stop ends the idle period, if any.
func (i *idleStop) stop() {
	if i.timer != nil {
		i.timer.Stop()
		i.timer = nil
	}
}

// over reports whether m ends the current idle period (the grain stops then).
func (i *idleStop) over(m *grainIdle) bool { return i.timer != nil && m.Gen == i.gen }

type grainMember struct {
	pid  *actor.PID
	nick string
	home *actor.PID // the rooms service that added it: told when the grain restarts
}

// grainSayDue is sent to a grain by the timer of a Say it holds: the grain
// sends its lines on and answers it now. It is local (a timer of the grain's
// own node), never remote.
type grainSayDue struct {
	To    *actor.PID
	ID    uint64
	Seq   uint64
	Lines []string
}

// IgnoreDeadLetterLogging: a timer that fires after its grain stopped is routine.
func (*grainSayDue) IgnoreDeadLetterLogging() {}

var _ actor.Actor = (*grain)(nil)

// errCrashRequested is the cause of the grain crash chatpb.Crash asks for.
var errCrashRequested = errors.New("crash requested (PanicRoom)")

// NewGrainKind returns the kind the cluster places chat rooms with.
func NewGrainKind() *cluster.Kind {
	return cluster.NewKind(GrainKind, actor.PropsFromProducer(func() actor.Actor { return newGrain(Linger) }))
}

func newGrain(linger time.Duration) actor.Actor {
	return &grain{members: map[string]*grainMember{}, timers: map[uint64]*time.Timer{}, idle: idleStop{linger: linger}}
}

// pidKey names a PID across nodes: conn-N names repeat from node to node.
func pidKey(p *actor.PID) string { return p.GetAddress() + "/" + p.GetId() }

// Receive dispatches.
func (g *grain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *cluster.ClusterInit:
		g.name = m.Identity.GetIdentity()
		g.idle.start(ctx) // until its first member
	case *grainIdle:
		if g.idle.over(m) && len(g.members) == 0 {
			ctx.Poison(ctx.Self())
		}
	case *chatpb.Say:
		g.onSay(ctx, m)
	case *grainSayDue:
		delete(g.timers, m.Seq)
		g.sendOn(ctx, m.To, m.Lines)
		ctx.Send(m.To, &chatpb.SayHeard{Id: m.ID})
	case *chatpb.Join:
		g.onJoin(ctx, m)
	case *chatpb.Leave:
		g.remove(ctx, m.GetMember())
	case *chatpb.Rename:
		g.onRename(ctx, m)
	case *chatpb.Who:
		ctx.Respond(g.who())
	case *actor.Terminated:
		g.remove(ctx, m.GetWho())
	case *chatpb.Crash:
		crash("room "+g.name, m.GetCategory())
	case *messages.Inject:
		inject(m)
	case *actor.Restarting:
		g.onRestarting(ctx)
	case *actor.Stopping:
		g.idle.stop()
		for _, t := range g.timers {
			t.Stop()
		}
	}
}

// onSay takes a member's Say: its lines go to the others and the grain
// answers SayHeard, at once, or both after the hold the Say asks for (the
// sender's flood control), as a room does with a say.
func (g *grain) onSay(ctx actor.Context, m *chatpb.Say) {
	from := ctx.Sender()
	if from == nil {
		return
	}
	hold := time.Duration(m.GetHoldNanos())
	if hold <= 0 {
		g.sendOn(ctx, from, m.GetLines())
		ctx.Respond(&chatpb.SayHeard{Id: m.GetId()})
		return
	}
	g.seq++
	due := &grainSayDue{To: from, ID: m.GetId(), Seq: g.seq, Lines: m.GetLines()}
	self, root := ctx.Self(), ctx.ActorSystem().Root
	g.timers[g.seq] = time.AfterFunc(hold, func() { root.Send(self, due) })
}

// sendOn sends a member's lines to the others in one message each. Lines
// from a connection that is not a member (it left, or the grain restarted and
// its home has not added it back yet) are dropped, but still answered by the
// caller: the sender's flood control waits for the answer.
func (g *grain) sendOn(ctx actor.Context, from *actor.PID, lines []string) {
	sender, ok := g.members[pidKey(from)]
	if !ok {
		return
	}
	prefix := "[" + g.name + "] " + sender.nick + ": "
	var b strings.Builder
	for _, l := range lines {
		b.Grow(len(prefix) + len(l) + 1)
		b.WriteString(prefix)
		b.WriteString(l)
		b.WriteByte('\n')
	}
	g.broadcast(ctx, from, b.String())
}

// onJoin adds a member, or renames one already there quietly (its home
// registered it again).
func (g *grain) onJoin(ctx actor.Context, m *chatpb.Join) {
	pid := m.GetMember()
	if pid == nil {
		return
	}
	home := m.GetHome()
	if home == nil {
		home = ctx.Sender()
	}
	if mb, ok := g.members[pidKey(pid)]; ok {
		mb.nick, mb.home = m.GetNick(), home
		return
	}
	g.members[pidKey(pid)] = &grainMember{pid: pid, nick: m.GetNick(), home: home}
	g.idle.stop()
	ctx.Watch(pid)
	if !m.GetQuiet() {
		g.broadcast(ctx, pid, "* "+m.GetNick()+" joined "+g.name+"\n")
	}
}

// remove drops a member that left or ended (whichever is heard first:
// its home's Leave or the Terminated of its watch); the last one out starts
// the grain's idle period.
func (g *grain) remove(ctx actor.Context, pid *actor.PID) {
	gone, ok := g.members[pidKey(pid)]
	if !ok {
		return
	}
	delete(g.members, pidKey(pid))
	ctx.Unwatch(gone.pid)
	if len(g.members) == 0 {
		g.idle.start(ctx)
		return
	}
	g.broadcast(ctx, pid, "* "+gone.nick+" left "+g.name+"\n")
}

func (g *grain) onRename(ctx actor.Context, m *chatpb.Rename) {
	mb, ok := g.members[pidKey(m.GetMember())]
	if !ok {
		return
	}
	old := mb.nick
	mb.nick = m.GetNick()
	g.broadcast(ctx, mb.pid, "* "+old+" is now "+mb.nick+"\n")
}

func (g *grain) who() *chatpb.Members {
	nicks := make([]string, 0, len(g.members))
	for _, mb := range g.members {
		nicks = append(nicks, mb.nick)
	}
	slices.Sort(nicks)
	return &chatpb.Members{Room: g.name, Nicks: nicks}
}

// crash fails a grain as a bug in it would: its supervisor (the cluster's
// placement actor on its node) restarts it.
func crash(op, category string) {
	c, ok := supervision.ParseCategory(category)
	if !ok {
		c = supervision.Internal
	}
	panic(supervision.New(c, op, errCrashRequested))
}

// inject acts out a fault the admin endpoint sent a grain (Server.Inject):
// a stall (the grain handles nothing for that long; Server.Inject bounds
// it), or a failure of its category, marked injected.
func inject(m *messages.Inject) {
	if m.Stall > 0 {
		time.Sleep(m.Stall)
		return
	}
	c, ok := supervision.ParseCategory(m.Category)
	if !ok {
		c = supervision.Internal
	}
	panic(supervision.Inject(c))
}

// onRestarting runs in the old instance as it is replaced: the fresh one
// knows nobody, so each home that has members here is told to add them
// again (and to tell them lines in flight may be lost).
func (g *grain) onRestarting(ctx actor.Context) {
	told := map[string]bool{}
	for _, mb := range g.members {
		if mb.home == nil || told[pidKey(mb.home)] {
			continue
		}
		told[pidKey(mb.home)] = true
		ctx.Send(mb.home, &chatpb.Restarted{Room: g.name})
	}
	for _, t := range g.timers {
		t.Stop()
	}
	g.idle.stop()
}

// broadcast sends line to every member but except. Locally one message
// serves them all (it is immutable); remote copies it per member. A line to
// a member on another node goes within that node's send window
// (cluster.Node.Forward): a node that stalls gets no more lines once this
// one has SendWindow bytes unacknowledged at it, rather than this node
// holding every line said meanwhile for it (its members lose those lines).
func (g *grain) broadcast(ctx actor.Context, except *actor.PID, line string) {
	msg := acluster.NewOutgoing(&chatpb.Line{Line: line})
	node := acluster.NodeOf(ctx.ActorSystem())
	skip := pidKey(except)
	for key, mb := range g.members {
		if key != skip {
			node.Forward(ctx, mb.pid, msg)
		}
	}
}
