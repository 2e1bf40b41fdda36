package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/internal/netpoll"
	"async_server/messages"
	"async_server/observatory"
	"async_server/supervision"
)

// servicesActor is the services supervisor: root's child beside the acceptors,
// parent of the behavior's service actors (a room registry, a key space), which
// it spawns by name and supervises with the same table and restart intensity as
// connections. Root starts the acceptors only once it reports ServicesStarted,
// so no connection sends to a service that is not there yet, and stops it after
// every connection has closed and before the logger.
type servicesActor struct {
	specs  []protocol.Service
	inject actor.ReceiverMiddleware // acts out injected faults (inject.go)
}

// servicesName is the services supervisor's name under root; a service called
// NAME is root/services/NAME.
const servicesName = "services"

// servicesProps returns the props of the services supervisor.
func servicesProps(specs []protocol.Service, in supervision.Intensity, log *logrus.Entry, hub *observatory.Hub, lost *lostServices, inject actor.ReceiverMiddleware) *actor.Props {
	strategy := supervision.NewStrategy(in, func(d supervision.Decision) {
		if d.Directive == actor.StopDirective { // first: whoever hears of the decision finds it lost
			lost.add(childName(d.Child))
		}
		log.WithFields(decisionFields(d)).WithField("service", childName(d.Child)).Warn("supervision decision")
		hub.Decided(decisionEvent(d, childName(d.Child), observatory.KindService))
	})
	for _, s := range specs {
		hub.Service(s.Name)
	}
	return actor.PropsFromProducer(func() actor.Actor { return &servicesActor{specs: specs, inject: inject} },
		actor.WithSupervisor(strategy))
}

// servicePIDs returns the PID every service will have, by name, for the
// connections to find them.
func servicePIDs(sys *actor.ActorSystem, rootID string, specs []protocol.Service) map[string]*actor.PID {
	pids := make(map[string]*actor.PID, len(specs))
	for _, s := range specs {
		pids[s.Name] = actor.NewPID(sys.Address(), childID(rootID, servicesName, s.Name))
	}
	return pids
}

// Receive dispatches.
func (s *servicesActor) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok {
		s.onStarted(ctx)
	}
}

// onStarted spawns every service (again, after a restart of this supervisor,
// which stops them all), then tells root.
func (s *servicesActor) onStarted(ctx actor.Context) {
	for _, spec := range s.specs {
		// Names are unique in a behavior's Setup; a clash is a bug worth a failure.
		// A service runs on runners, as an acceptor does (netpoll.RunnerDispatcher):
		// protoactor's default dispatcher starts a fresh goroutine each time the
		// mailbox wakes, which then grows its stack to the service's depth
		// (the resp key space woke for every command at redis-benchmark -P 1:
		// 13% of the server's CPU was copystack); a parked runner has grown it.
		// One with OnSender runs on its senders instead (sender_mailbox.go).
		opts := []actor.PropsOption{actor.WithReceiverMiddleware(s.inject), actor.WithDispatcher(netpoll.RunnerDispatcher{})}
		if spec.OnSender {
			opts = append(opts, actor.WithMailbox(newSenderMailbox))
		}
		if _, err := ctx.SpawnNamed(actor.PropsFromProducer(spec.New, opts...), spec.Name); err != nil {
			panic(supervision.New(supervision.Internal, "spawn service "+spec.Name, err))
		}
	}
	ctx.Send(ctx.Parent(), &messages.ServicesStarted{})
}
