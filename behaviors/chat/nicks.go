package chat

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/chat/chatpb"
	"async_server/messages"
)

// NickKind is the cluster kind of a nick in cluster mode: one grain per
// claimed nick, its identity the nick, holding the connection that has it.
// Every node's rooms service claims a nick there before it gives it, so a
// nick taken with /nick is unique over the cluster, as it is on one node.
// The guest-N names each connection starts with are its node's own (every
// node has a conn-1): they are not claimed, and /nick refuses them in a
// cluster.
const NickKind = "chatnick"

// nickGrain is one claimed nick: who has it. It watches its owner, so an
// owner that ends (its node too) frees it, and it stops once it has been
// free for Linger. A claim that reaches it after that is lost with it: the
// claimant's rooms service answers "try again" after its deadline.
type nickGrain struct {
	owner *actor.PID
	idle  idleStop
}

// NewNickKind returns the kind the cluster places nicks with.
func NewNickKind() *cluster.Kind {
	return cluster.NewKind(NickKind, actor.PropsFromProducer(func() actor.Actor { return newNickGrain(Linger) }))
}

func newNickGrain(linger time.Duration) actor.Actor {
	return &nickGrain{idle: idleStop{linger: linger}}
}

// Receive dispatches.
func (g *nickGrain) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		g.idle.start(ctx) // until its first claim
	case *grainIdle:
		if g.idle.over(m) && g.owner == nil {
			ctx.Poison(ctx.Self())
		}
	case *actor.Stopping:
		g.idle.stop()
	case *chatpb.ClaimNick:
		ctx.Respond(&chatpb.NickClaimed{Ok: g.claim(ctx, m.GetOwner())})
	case *chatpb.ReleaseNick:
		g.release(ctx, m.GetOwner())
		if ctx.Sender() != nil {
			ctx.Respond(&chatpb.NickReleased{})
		}
	case *actor.Terminated:
		g.release(ctx, m.GetWho())
	case *messages.Inject:
		inject(m)
	}
}

func (g *nickGrain) claim(ctx actor.Context, owner *actor.PID) bool {
	switch {
	case owner == nil:
		return false
	case g.owner == nil:
		g.owner = owner
		ctx.Watch(owner)
		g.idle.stop()
		return true
	}
	return pidKey(g.owner) == pidKey(owner)
}

func (g *nickGrain) release(ctx actor.Context, owner *actor.PID) {
	if g.owner == nil || pidKey(g.owner) != pidKey(owner) {
		return
	}
	ctx.Unwatch(g.owner)
	g.owner = nil
	g.idle.start(ctx)
}

// guestPrefix starts the names connections start with, which /nick refuses
// in a cluster.
const guestPrefix = "guest-"

// setNickGrain is the cluster side of /nick: the nick's grain is found and
// asked, each once within the deadline, then the nick is given (applyNick).
func (s *roomsService) setNickGrain(ctx actor.Context, c *chatter, nick string, req *messages.ServiceRequest) any {
	if strings.HasPrefix(nickKey(nick), guestPrefix) {
		return &refused{Reason: "nick " + nick + " is taken (guest names are each node's own)"}
	}
	to, id := ctx.Sender(), req.ID
	answer := func(body any) { ctx.Send(to, &messages.ServiceReply{ID: id, Body: body}) }
	unchecked := &refused{Reason: "nick " + nick + " could not be checked across the cluster; try again"}
	fut := s.placer.Find(ctx, nickKey(nick), NickKind)
	if fut == nil {
		return unchecked
	}
	ctx.ReenterAfter(fut, func(res any, err error) {
		pid := foundGrain(res, err)
		if s.restarting {
			return
		}
		if pid == nil {
			answer(unchecked)
			return
		}
		claim := ctx.RequestFuture(pid, &chatpb.ClaimNick{Owner: c.pid}, s.timeout)
		ctx.ReenterAfter(claim, func(res any, err error) {
			m, ok := res.(*chatpb.NickClaimed)
			switch {
			case s.restarting || s.conns.M[c.pid.Id] != c: // it ended: the grain's watch frees the nick
			case err != nil || !ok:
				answer(unchecked)
			case !m.GetOk():
				answer(&refused{Reason: "nick " + nick + " is taken"})
			default:
				s.renameReleased(ctx, c, nick, pid, answer)
			}
		})
	})
	return nil
}

// renameReleased gives c the nick claimed at grain once its old nick's
// grain has freed that (or the deadline passed): whoever reads "* you are
// now NEW" may hand the old nick on, and its next claimant, on any node,
// finds it free.
func (s *roomsService) renameReleased(ctx actor.Context, c *chatter, nick string, grain *actor.PID, answer func(any)) {
	old := c.nickGrain
	if old == nil || old.Equal(grain) {
		answer(s.applyNick(ctx, c, nick, grain))
		return
	}
	s.unholdNick(ctx, c)
	c.nickGrain = nil // released here, not again in applyNick
	fut := ctx.RequestFuture(old, &chatpb.ReleaseNick{Owner: c.pid}, s.timeout)
	ctx.ReenterAfter(fut, func(any, error) {
		if !s.restarting && s.conns.M[c.pid.Id] == c {
			answer(s.applyNick(ctx, c, nick, grain))
		}
	})
}

// releaseNick frees c's claimed nick at its grain (cluster mode).
func (s *roomsService) releaseNick(ctx actor.Context, c *chatter) {
	if c.nickGrain != nil {
		s.unholdNick(ctx, c)
		ctx.Send(c.nickGrain, &chatpb.ReleaseNick{Owner: c.pid})
		c.nickGrain = nil
	}
}

// holdNick records that c's nick is claimed at grain, and watches the grain:
// if it is lost (its node died, or it moved), the claim goes with it, and c
// claims its nick again (nickLost).
func (s *roomsService) holdNick(ctx actor.Context, c *chatter, grain *actor.PID) {
	c.nickGrain = grain
	s.byNick.Set(pidKey(grain), c.pid.Id)
	ctx.Watch(grain)
}

func (s *roomsService) unholdNick(ctx actor.Context, c *chatter) {
	s.byNick.Delete(pidKey(c.nickGrain))
	ctx.Unwatch(c.nickGrain)
}

// reclaimNick is sent to the rooms service by the timer of a claim to make
// again (the nick's grain was lost, and no node gave it since).
type reclaimNick struct{ Conn string }

// nickLost handles the Terminated of a watched nick grain and reports
// whether it was one: its owner claims the nick again at once.
func (s *roomsService) nickLost(ctx actor.Context, m *actor.Terminated) bool {
	id, ok := s.byNick.M[pidKey(m.GetWho())]
	if !ok {
		return false
	}
	s.byNick.Delete(pidKey(m.GetWho()))
	if c := s.conns.M[id]; c != nil && c.nickGrain != nil && c.nickGrain.Equal(m.GetWho()) {
		c.nickGrain = nil
		s.reclaim(ctx, c)
	}
	return true
}

// onReclaim claims again the nick of a connection whose claim was lost.
func (s *roomsService) onReclaim(ctx actor.Context, m *reclaimNick) {
	if c := s.conns.M[m.Conn]; c != nil && c.nickGrain == nil && !strings.HasPrefix(c.nick, guestPrefix) {
		s.reclaim(ctx, c)
	}
}

// reclaim claims c's nick again, once within the deadline, and again a
// second later while no node answers. Another connection may have claimed
// it meanwhile (the grain's new activation knew nobody): c then takes its
// guest name, and is told.
func (s *roomsService) reclaim(ctx actor.Context, c *chatter) {
	nick := c.nick
	again := func() {
		self, root := ctx.Self(), ctx.ActorSystem().Root
		time.AfterFunc(retryFind, func() { root.Send(self, &reclaimNick{Conn: c.pid.Id}) })
	}
	fut := s.placer.Find(ctx, nickKey(nick), NickKind)
	if fut == nil {
		again()
		return
	}
	ctx.ReenterAfter(fut, func(res any, err error) {
		pid := foundGrain(res, err)
		if s.restarting || s.conns.M[c.pid.Id] != c || c.nick != nick || c.nickGrain != nil {
			return // gone, renamed or claimed meanwhile
		}
		if pid == nil {
			again()
			return
		}
		claim := ctx.RequestFuture(pid, &chatpb.ClaimNick{Owner: c.pid}, s.timeout)
		ctx.ReenterAfter(claim, func(res any, err error) {
			m, ok := res.(*chatpb.NickClaimed)
			switch {
			case s.restarting || s.conns.M[c.pid.Id] != c || c.nick != nick || c.nickGrain != nil:
			case err != nil || !ok:
				again()
			case m.GetOk():
				s.holdNick(ctx, c, pid)
			default:
				guest := guestPrefix + strings.TrimPrefix(c.pid.Id[strings.LastIndex(c.pid.Id, "/")+1:], "conn-")
				s.applyNick(ctx, c, s.freeNick(guest), nil)
				ctx.Send(c.pid, &nickLost{Nick: c.nick, Line: "* your nick " + nick +
					" was taken on another node while its claim moved; you are " + c.nick + "\n"})
			}
		})
	})
}
