package chat

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/protocol"
)

// This file lets the external tests run cluster mode's logic in one
// process, with no cluster: the rooms are grains (grain.go), placed by a
// placement actor of the test's own (one activation per room, as disthash's
// placement actor does on the node that owns it).

// NewWithLocalGrains returns the chat Setup whose rooms service puts its
// rooms in grains placed in-process, by a service of its own ("grains"),
// which tests ask with Server.Ask: StopGrain, CountGrains.
func NewWithLocalGrains(o Options) protocol.Setup {
	s := newSetup(o, func(sys *actor.ActorSystem) placer { return localPlacer{addr: sys.Address()} })
	s.Services = append(s.Services, protocol.Service{Name: GrainsService,
		New: func() actor.Actor { return &localPlacement{grains: map[string]*actor.PID{}} }})
	return s
}

// testLinger is how long the test placement's grains stay idle before
// they stop: short, so that tests see them stop.
const testLinger = 20 * time.Millisecond

// GrainsService is the test placement's service name.
const GrainsService = "grains"

// StopGrain asks the test placement to stop the grain of room (or of the
// nick Nick), as its node going away would (but Terminated says Stopped,
// not AddressTerminated).
type StopGrain struct{ Room, Nick string }

// GrainPID asks the test placement for the PID of the grain of Kind and
// Identity: answered with an *actor.PID, nil if there is none.
type GrainPID struct{ Kind, Identity string }

// CountGrains asks the test placement how many grains of Kind are alive:
// answered with an int.
type CountGrains struct{ Kind string }

// ReuseIDs asks the test placement to name each grain after its identity
// alone, so that a grain made again gets the id of the one before it, as a
// node restarted under the same address numbers its activations anew. Its
// grains linger as a real one does (Linger), not testLinger: a rooms
// service that has lost a grain takes a lookup giving the same id for stale
// for a second (staleFor), and a grain made meanwhile with nobody in it
// would stop after testLinger and again, the next one made, every few
// milliseconds; one found as it stopped loses the joins sent to it, and its
// members read that the room moved a second time (as documented in
// grain.go, and what TestGrainMoved/same_id once read in 40 runs).
type ReuseIDs struct{}

// localPlacer asks the test placement, a sibling service of the rooms
// service; its one node is its own.
type localPlacer struct{ addr string }

func (localPlacer) Timeout() time.Duration { return time.Second }

func (p localPlacer) Nodes() []string { return []string{p.addr} }

func (localPlacer) Find(ctx actor.Context, identity, kind string) *actor.Future {
	pid := actor.NewPID(ctx.Self().Address, strings.TrimSuffix(ctx.Self().Id, roomsServiceName)+GrainsService)
	req := &cluster.ActivationRequest{ClusterIdentity: cluster.NewClusterIdentity(identity, kind)}
	return ctx.RequestFuture(pid, req, time.Second)
}

type localPlacement struct {
	grains map[string]*actor.PID
	reuse  bool // ReuseIDs
}

func (p *localPlacement) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *cluster.ActivationRequest:
		name := m.GetClusterIdentity().AsKey()
		pid := p.grains[name]
		if pid == nil {
			pid = p.spawn(ctx, m.GetClusterIdentity())
			p.grains[name] = pid
		}
		ctx.Respond(&cluster.ActivationResponse{Pid: pid})
	case *actor.Terminated:
		for name, pid := range p.grains {
			if pid.Equal(m.Who) {
				delete(p.grains, name)
			}
		}
	case *StopGrain:
		key := cluster.NewClusterIdentity(m.Room, GrainKind).AsKey()
		if m.Nick != "" {
			key = cluster.NewClusterIdentity(m.Nick, NickKind).AsKey()
		}
		if pid := p.grains[key]; pid != nil {
			ctx.Stop(pid)
		}
		ctx.Respond(m)
	case *ReuseIDs:
		p.reuse = true
		ctx.Respond(m)
	case *GrainPID:
		ctx.Respond(p.grains[cluster.NewClusterIdentity(m.Identity, m.Kind).AsKey()])
	case *CountGrains:
		n := 0
		for key := range p.grains {
			if strings.HasPrefix(key, m.Kind+"/") {
				n++
			}
		}
		ctx.Respond(n)
	}
}

// spawn makes the grain of ci: named after its identity alone with
// ReuseIDs (SpawnNamed fails while the one before is still stopping: the
// placement then answers no grain, and is asked again), else uniquely.
func (p *localPlacement) spawn(ctx actor.Context, ci *cluster.ClusterIdentity) *actor.PID {
	if !p.reuse {
		return ctx.SpawnPrefix(grainProps(ci, testLinger), ci.GetIdentity()+"-")
	}
	pid, err := ctx.SpawnNamed(grainProps(ci, Linger), ci.GetIdentity())
	if err != nil {
		return nil
	}
	return pid
}

// grainProps makes a grain as the cluster's kinds do: a ClusterInit after
// each Started (the first, and each restart's).
func grainProps(ci *cluster.ClusterIdentity, linger time.Duration) *actor.Props {
	producer := func() actor.Actor { return newGrain(linger) }
	if ci.GetKind() == NickKind {
		producer = func() actor.Actor { return newNickGrain(linger) }
	}
	return actor.PropsFromProducer(producer, actor.WithReceiverMiddleware(func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
			next(ctx, env)
			if _, ok := env.Message.(*actor.Started); ok {
				next(ctx, actor.WrapEnvelope(&cluster.ClusterInit{Identity: ci}))
			}
		}
	}))
}
