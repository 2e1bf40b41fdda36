package actors

import (
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// chaosActor is the chaos monkey of -chaos RATE: root's child while the server
// serves, it injects a random fault into a random live connection, on average
// RATE times a second (exponential gaps: a Poisson process, so faults
// sometimes bunch up, as real ones do). It injects through Server.Inject's own
// path, so every fault is marked injected in its event, metrics and the log
// line of the decision it causes (the injection itself is logged at Debug:
// injector.random).
// It targets connections only: a fault in an acceptor or the logger is a
// lesson to give on purpose (POST /faults), not at random during a soak.
// Root stops it when shutdown begins.
type chaosActor struct {
	rate  float64
	inj   injector
	timer *time.Timer
}

// chaosName is the chaos actor's name under root.
const chaosName = "chaos"

// chaosTick is the chaos actor's timer, sent to itself.
type chaosTick struct{}

// chaosFaults are what chaos injects, each as likely: every category the
// table has for a connection, and a short stall.
var chaosFaults = []Fault{
	{Category: "Internal"}, {Category: "BadRequest"}, {Category: "ConnectionFailed"},
	{Category: "Timeout"}, {Category: "TooLarge"}, {Stall: 200 * time.Millisecond},
}

// MaxChaos is the most faults a second Config.Chaos may ask for: one a
// millisecond keeps every connection of a soak run failing, and more only
// spins the chaos actor's timer (a rate of 1e9 kept a core busy with no
// connection open).
const MaxChaos = 1000

func chaosProps(rate float64, inj injector) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &chaosActor{rate: rate, inj: inj} })
}

// Receive dispatches.
func (c *chaosActor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		c.schedule(ctx)
	case chaosTick:
		f := chaosFaults[rand.IntN(len(chaosFaults))]
		_, _ = c.inj.inject("random", f) // no connection now: nothing to break
		c.schedule(ctx)
	case *actor.Stopping:
		if c.timer != nil {
			c.timer.Stop()
		}
	}
}

// schedule sends the next tick after an exponentially distributed gap.
func (c *chaosActor) schedule(ctx actor.Context) {
	gap := time.Duration(rand.ExpFloat64() / c.rate * float64(time.Second))
	root, self := ctx.ActorSystem().Root, ctx.Self()
	c.timer = time.AfterFunc(gap, func() { root.Send(self, chaosTick{}) })
}
