package cluster

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/sirupsen/logrus"

	"async_server/cluster/etcdmembers"
)

// Bounds of -lease-ttl with -etcd: etcd grants leases in whole seconds, and
// a typo (3h) must not leave a dead node's grains unavailable for hours
// (etcdmembers.Config.Validate holds the same).
const (
	minLeaseTTL = time.Second
	maxLeaseTTL = 10 * time.Minute
)

// checkLeaseTTL refuses a -lease-ttl etcd would not grant as asked.
func checkLeaseTTL(d time.Duration) error {
	if d < minLeaseTTL || d > maxLeaseTTL || d%time.Second != 0 {
		return fmt.Errorf("-lease-ttl: %v is not a whole number of seconds from %v to %v (etcd grants leases in seconds)", d, minLeaseTTL, maxLeaseTTL)
	}
	return nil
}

// newEtcd makes the -etcd provider (package etcdmembers) and the middleware
// every grain kind gets: the provider's fence, which drops grain messages
// once the lease is in doubt. onLost is called once if the lease is lost
// after the start.
func newEtcd(cfg Config, onLost func(error), log *logrus.Entry) (pcluster.ClusterProvider, actor.ReceiverMiddleware) {
	ec := etcdmembers.DefaultConfig()
	ec.Endpoints, ec.TTL, ec.DialTimeout, ec.OnLeaseLost, ec.Log = cfg.Etcd, cfg.LeaseTTL, startTimeout, onLost, log
	e := &etcdProvider{cfg: ec}
	return e, e.fence
}

// etcdProvider makes the etcd provider in StartMember, after remote has
// started: etcdmembers.New starts etcd's gRPC client, and remote.Start sets
// gRPC's logger, a global the client's goroutines read (-race saw it). It
// answers within startTimeout or StartMember fails with an error wrapping
// etcdmembers.ErrUnreachable (Start then wraps ErrUnavailable: exit 3).
type etcdProvider struct {
	cfg etcdmembers.Config
	p   atomic.Pointer[etcdmembers.Provider] // set by StartMember
}

var _ pcluster.ClusterProvider = (*etcdProvider)(nil)

func (e *etcdProvider) StartMember(c *pcluster.Cluster) error {
	p, err := etcdmembers.New(e.cfg)
	if err != nil {
		return err
	}
	e.p.Store(p)
	return p.StartMember(c)
}

func (e *etcdProvider) StartClient(c *pcluster.Cluster) error {
	p, err := etcdmembers.New(e.cfg)
	if err != nil {
		return err
	}
	e.p.Store(p)
	return p.StartClient(c)
}

// Shutdown revokes the lease (the others drop the node at once).
func (e *etcdProvider) Shutdown(graceful bool) error {
	if p := e.p.Load(); p != nil {
		return p.Shutdown(graceful)
	}
	return nil
}

// fence is the provider's fence once there is a provider; grains are
// activated only after StartMember, so there always is.
func (e *etcdProvider) fence(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
		if p := e.p.Load(); p != nil {
			p.Fence(next)(ctx, env)
			return
		}
		next(ctx, env)
	}
}
