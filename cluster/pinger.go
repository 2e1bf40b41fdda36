package cluster

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// pinger sends every other member a ping each pingInterval, so that the link
// to each is up while it runs (remote connects on the first message and
// reports EndpointConnectedEvent; a link that breaks reports
// EndpointTerminatedEvent at once, and the next ping tries again). The
// gossip used to do this, and is off (node.go). Members answer nothing: the
// ping lands in their pingName actor, which only checks that the sender's
// -peers list is its own (peerlist.go).
type pinger struct {
	stopOnce sync.Once
	quit     chan struct{}
	done     chan struct{} // closed when the goroutine has exited
	sys      *actor.ActorSystem
	pid      *actor.PID // this node's pingName actor
	started  bool       // start was called: stop waits for done
	check    *listCheck // what the pings carry, and what the actor checks
}

// pingName is the actor every node's pings go to.
const pingName = "cluster-ping"

// pingInterval is how often a member is pinged: a member that comes back
// is seen up within about this long; one that goes is seen gone when its
// connection breaks, not at the next ping.
const pingInterval = 250 * time.Millisecond

// newPinger spawns this node's pingName actor; start begins the pings. Call
// it before remote starts (StartMember): the other members ping this
// address all the while it starts, and SpawnNamed makes the name visible to
// remote (ProcessRegistry.Add) before it gives the mailbox its dispatcher
// (RegisterHandlers), so a ping delivered between the two read the
// dispatcher while it was written (a data race under -race; a nil
// dispatcher at worst). Before remote listens nothing else can reach the
// actor. Its PID carries no address then ("nonhost"); it is only ever
// stopped, here, and remote finds it by name.
func newPinger(sys *actor.ActorSystem, check *listCheck) *pinger {
	p := &pinger{quit: make(chan struct{}), done: make(chan struct{}), sys: sys, check: check}
	p.pid, _ = sys.Root.SpawnNamed(actor.PropsFromFunc(check.receive), pingName)
	return p
}

// start runs the goroutine that pings the others; it exits on stop, which
// waits for it. Each ping goes through the node's send windows (n.Forward):
// a member that stalls is pinged only while its window has room, so a
// stall of hours does not pile four pings a second up for it in remote's
// queue.
func (p *pinger) start(peers func() []string, n *Node) {
	p.started = true
	go p.run(peers, n)
}

func (p *pinger) run(peers func() []string, n *Node) {
	defer close(p.done)
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	ping := p.check.ping()
	for {
		for _, a := range peers() {
			n.Forward(p.sys.Root, actor.NewPID(a, pingName), ping)
		}
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
	}
}

// stop ends the pings, waits for the goroutine if it started, and stops the
// actor; a nil pinger does nothing.
func (p *pinger) stop() {
	if p == nil {
		return
	}
	p.stopOnce.Do(func() {
		close(p.quit)
		if p.started {
			<-p.done
		}
		if p.pid != nil {
			p.sys.Root.Stop(p.pid)
		}
	})
}
