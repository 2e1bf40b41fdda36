package cluster

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/sirupsen/logrus"
)

// view is the cluster as this node sees it, for /tree, the metrics and the
// log: the members (from the provider's topology) and whether each answers
// (remote's endpoint events), and the grains hosted here. It only watches:
// placement never reads it. Its counters are atomics, its maps under mu;
// event-stream handlers and grain middleware write it, any goroutine reads.
type view struct {
	self string
	log  *logrus.Entry

	mu      sync.Mutex
	members map[string]*Member   // by address
	grains  map[string]Grain     // hosted here, by kind/identity
	rdv     *pcluster.Rendezvous // the topology's placement, as disthash's: Request's lookup

	activations atomic.Int64 // grains activated here, ever
	requests    atomic.Int64 // grain requests made through Node.Request
	failures    atomic.Int64 // of those, the ones that got no answer
	dropped     atomic.Int64 // envelopes from peers dropped by guard
}

// Member is one member of the cluster as this node sees it.
type Member struct {
	Addr  string    `json:"addr"`
	ID    string    `json:"id"`
	Self  bool      `json:"self,omitempty"`
	Up    bool      `json:"up"`              // this node's link to it works (always for itself)
	Since time.Time `json:"since,omitempty"` // when Up last changed
}

// Grain is one grain hosted by this node.
type Grain struct {
	Kind     string `json:"kind"`
	Identity string `json:"identity"`
	PID      string `json:"pid"`
}

func newView(cfg Config, log *logrus.Entry) *view {
	return &view{self: cfg.NodeAddr, log: log, members: map[string]*Member{}, grains: map[string]Grain{}}
}

// watch follows the topology and the links to the other members.
func (v *view) watch(sys *actor.ActorSystem) {
	sys.EventStream.Subscribe(func(evt any) {
		switch e := evt.(type) {
		case *pcluster.ClusterTopology:
			v.onTopology(e)
		case *remote.EndpointConnectedEvent:
			v.setUp(e.Address, true)
		case *remote.EndpointTerminatedEvent:
			v.setUp(e.Address, false)
		}
	})
}

func (v *view) onTopology(t *pcluster.ClusterTopology) {
	// Read the member list here, from the event, and not from
	// MemberList.Members, which returns it without its lock.
	rdv := pcluster.NewRendezvous()
	rdv.UpdateMembers(t.Members)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.rdv = rdv
	now := time.Now()
	for _, m := range t.Left {
		delete(v.members, m.Address())
	}
	for _, m := range t.Members {
		if _, ok := v.members[m.Address()]; !ok {
			self := m.Address() == v.self
			v.members[m.Address()] = &Member{Addr: m.Address(), ID: m.Id, Self: self, Up: self, Since: now}
		}
	}
	v.log.WithFields(logrus.Fields{"members": len(t.Members), "joined": len(t.Joined), "left": len(t.Left)}).Info("cluster topology")
}

// setUp records whether the link to the member at addr works, and logs a change.
func (v *view) setUp(addr string, up bool) {
	v.mu.Lock()
	m, ok := v.members[addr]
	changed := ok && !m.Self && m.Up != up
	if changed {
		m.Up, m.Since = up, time.Now()
	}
	v.mu.Unlock()
	if !changed {
		return
	}
	if up {
		v.log.WithField("member", addr).Info("cluster member reachable")
	} else {
		v.log.WithField("member", addr).Warn("cluster member unreachable")
	}
}

// Members returns the members, sorted by address.
func (v *view) Members() []Member {
	v.mu.Lock()
	defer v.mu.Unlock()
	ms := make([]Member, 0, len(v.members))
	for _, m := range v.members {
		ms = append(ms, *m)
	}
	slices.SortFunc(ms, func(a, b Member) int { return cmp.Compare(a.Addr, b.Addr) })
	return ms
}

func (v *view) memberCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.members)
}

// Grains returns the grains hosted here, sorted by kind and identity.
func (v *view) Grains() []Grain {
	v.mu.Lock()
	defer v.mu.Unlock()
	gs := make([]Grain, 0, len(v.grains))
	for _, g := range v.grains {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b Grain) int {
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return cmp.Compare(a.Identity, b.Identity)
	})
	return gs
}

// track returns kinds whose grains report their activation and stop to v,
// behind fence (the etcd provider's, which drops grain messages once the
// lease is in doubt; nil for none). The receiver middleware runs after the
// cluster's own, which has set the grain's identity by Started.
func (v *view) track(kinds []*pcluster.Kind, fence actor.ReceiverMiddleware) []*pcluster.Kind {
	mw := []actor.ReceiverMiddleware{v.middleware}
	if fence != nil {
		mw = append(mw, fence)
	}
	out := make([]*pcluster.Kind, 0, len(kinds))
	for _, k := range kinds {
		t := *k
		t.Props = k.Props.Clone(actor.WithReceiverMiddleware(mw...))
		out = append(out, &t)
	}
	return out
}

func (v *view) middleware(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
		switch env.Message.(type) {
		case *actor.Started:
			if id := pcluster.GetClusterIdentity(ctx); id != nil {
				v.started(id, ctx.Self().Id)
			}
		case *actor.Stopped:
			if id := pcluster.GetClusterIdentity(ctx); id != nil {
				v.stopped(id, ctx.Self().Id)
			}
		}
		next(ctx, env)
	}
}

// started records a grain's activation, or its restart (the new instance's
// Started, with no Stopped before it: the same activation goes on), and
// logs it. The log's "grain activated" and "grain deactivated" lines are
// the grains' lives on this node, for whoever checks that no two nodes act
// for one grain at once (clustertest.GrainLives): "at" is the wall clock
// with nanoseconds, as the line's time field has seconds only.
func (v *view) started(id *pcluster.ClusterIdentity, pid string) {
	key := id.AsKey()
	v.mu.Lock()
	g, had := v.grains[key]
	restarted := had && g.PID == pid
	v.grains[key] = Grain{Kind: id.Kind, Identity: id.Identity, PID: pid}
	v.mu.Unlock()
	if restarted {
		v.grainLine(key, pid, "grain restarted")
		return
	}
	v.activations.Add(1)
	v.grainLine(key, pid, "grain activated")
}

// stopped records a grain's deactivation (it stopped: idle, moved, or its
// node left), and logs it.
func (v *view) stopped(id *pcluster.ClusterIdentity, pid string) {
	key := id.AsKey()
	v.mu.Lock()
	if g, ok := v.grains[key]; ok && g.PID == pid {
		delete(v.grains, key)
	}
	v.mu.Unlock()
	v.grainLine(key, pid, "grain deactivated")
}

func (v *view) grainLine(key, pid, msg string) {
	v.log.WithFields(logrus.Fields{"grain": key, "pid": pid, "at": time.Now().Format(time.RFC3339Nano)}).Info(msg)
}

func (v *view) upCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	up := 0
	for _, m := range v.members {
		if m.Up {
			up++
		}
	}
	return up
}

// owner returns the address of the member that hosts ci, as disthash
// places it, or "" when no member hosts its kind.
func (v *view) owner(ci *pcluster.ClusterIdentity) string {
	v.mu.Lock()
	rdv := v.rdv
	v.mu.Unlock()
	if rdv == nil {
		return ""
	}
	return rdv.GetByClusterIdentity(ci)
}

// isPeer reports whether addr is another member's address.
func (v *view) isPeer(addr string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	m, ok := v.members[addr]
	return ok && !m.Self
}

// peers returns the other members' addresses.
func (v *view) peers() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	ps := make([]string, 0, len(v.members))
	for a, m := range v.members {
		if !m.Self {
			ps = append(ps, a)
		}
	}
	return ps
}
