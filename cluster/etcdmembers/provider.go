package etcdmembers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/sirupsen/logrus"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Errors a caller tells apart with errors.Is (to pick the exit status).
var (
	// ErrUnreachable: etcd did not answer within DialTimeout at start.
	ErrUnreachable = errors.New("etcd unreachable")
	// ErrLeaseLost: this node's lease is gone or may be gone (OnLeaseLost).
	ErrLeaseLost = errors.New("etcd lease lost")
)

// revokeTimeout bounds Shutdown's revoke: peers see the node leave at once if
// it succeeds, within the TTL if not; a shutdown must not wait on etcd longer.
const revokeTimeout = time.Second

var _ cluster.ClusterProvider = (*Provider)(nil)

// Provider is the etcd cluster provider: it keeps this node's member key under
// a lease and tells the cluster's member list every change under the cluster's
// prefix. Make one with New; the cluster calls StartMember; the node calls
// Shutdown (cluster.Shutdown(false) does not).
type Provider struct {
	cfg    Config
	log    *logrus.Entry
	client *clientv3.Client

	// ctx ends at Shutdown; kaCtx (its child) also when the lease is known
	// lost, with the reason as its cause. Both goroutines run under them, and
	// wg waits for them.
	ctx      context.Context
	cancel   context.CancelFunc
	kaCtx    context.Context
	kaCancel context.CancelCauseFunc
	wg       sync.WaitGroup

	// Set by StartMember before the goroutines start; read-only after.
	cluster *cluster.Cluster
	self    member
	key     string // this node's key: Prefix/CLUSTER/ID
	dir     string // every member's key starts with it: Prefix/CLUSTER/
	lease   clientv3.LeaseID
	ttl     time.Duration // as granted by etcd

	// keepAliveOnce renews the lease once; tests replace it to stall.
	keepAliveOnce func(ctx context.Context, id clientv3.LeaseID) error
	// betweenReadAndWatch, if set, runs in StartMember after the read and
	// before the watch starts: tests register another node in that window.
	betweenReadAndWatch func()

	fence    fence
	stopping atomic.Bool // Shutdown began: a deleted key or an end is no loss
	shutOnce sync.Once
	shutErr  error
}

// New checks cfg, makes the etcd client and checks, within DialTimeout, that
// etcd answers: a node that cannot reach etcd gets an error wrapping
// ErrUnreachable here, before any cluster machinery has started.
func New(cfg Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client, err := clientv3.New(clientv3.Config{
		Endpoints: cfg.Endpoints,
		Logger:    zap.NewNop(), // its retries would go to stderr; ours go to Log
		// No DialTimeout: it would make New block in the dial. Every call
		// below has a deadline instead.
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client: %w", err)
	}
	p := &Provider{cfg: cfg, log: logOrDiscard(cfg.Log), client: client}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.kaCtx, p.kaCancel = context.WithCancelCause(p.ctx)
	p.keepAliveOnce = func(ctx context.Context, id clientv3.LeaseID) error {
		_, err := client.KeepAliveOnce(ctx, id)
		return err
	}
	p.fence.init()
	ctx, cancel := context.WithTimeout(p.ctx, cfg.DialTimeout)
	defer cancel()
	if _, err := client.Get(ctx, cfg.Prefix, clientv3.WithCountOnly()); err != nil {
		client.Close()
		return nil, p.unreachable(err)
	}
	return p, nil
}

func (p *Provider) unreachable(err error) error {
	return fmt.Errorf("%w: %v within %v: %v", ErrUnreachable, p.cfg.Endpoints, p.cfg.DialTimeout, err)
}

// StartMember registers this node (key = Prefix/CLUSTER/ActorSystem.ID, under
// a fresh lease), reads every member, tells the member list, and then watches
// from the read's revision + 1, so no member that registers after the read is
// missed and none before it is read twice. It returns within DialTimeout.
func (p *Provider) StartMember(c *cluster.Cluster) error {
	self, err := selfMember(c)
	if err != nil {
		return err
	}
	p.cluster, p.self = c, self
	p.dir = p.cfg.Prefix + "/" + c.Config.Name + "/"
	p.key = p.dir + self.ID
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.DialTimeout)
	defer cancel()
	if err := p.register(ctx); err != nil {
		return err
	}
	members, rev, err := p.list(ctx)
	if err != nil {
		return p.unreachable(err)
	}
	p.publish(members)
	if p.betweenReadAndWatch != nil {
		p.betweenReadAndWatch()
	}
	p.wg.Add(2)
	go p.runKeepAlive()
	go p.runWatch(members, rev)
	return nil
}

// StartClient follows the members without registering (no lease, no fence).
func (p *Provider) StartClient(c *cluster.Cluster) error {
	p.cluster = c
	p.dir = p.cfg.Prefix + "/" + c.Config.Name + "/"
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.DialTimeout)
	defer cancel()
	members, rev, err := p.list(ctx)
	if err != nil {
		return p.unreachable(err)
	}
	p.publish(members)
	p.wg.Add(1)
	go p.runWatch(members, rev)
	return nil
}

// register grants the lease and puts this node's key under it. The fence
// opens here: the clock of the first acknowledgement starts before the grant
// was sent, so the fence never trusts a lease longer than etcd does.
func (p *Provider) register(ctx context.Context) error {
	sent := time.Now()
	grant, err := p.client.Grant(ctx, int64(p.cfg.TTL/time.Second))
	if err != nil {
		return p.unreachable(err)
	}
	p.lease, p.ttl = grant.ID, time.Duration(grant.TTL)*time.Second
	if p.ttl != p.cfg.TTL {
		p.log.WithField("asked", p.cfg.TTL).WithField("granted", p.ttl).
			Warn("etcd granted another lease TTL than asked; the granted one is in force")
	}
	value, err := p.self.encode()
	if err != nil {
		return err
	}
	if _, err := p.client.Put(ctx, p.key, string(value), clientv3.WithLease(p.lease)); err != nil {
		return p.unreachable(err)
	}
	p.fence.open(p.ttl, sent)
	return nil
}

// Shutdown stops following and renewing, then revokes the lease (deleting
// this node's key, so peers drop it at once) and closes the client. The fence
// closes first: grains get no message once shutdown has begun. Calling it
// again returns the first call's result.
func (p *Provider) Shutdown(graceful bool) error {
	p.shutOnce.Do(func() {
		p.stopping.Store(true)
		p.fence.close()
		p.cancel()
		p.wg.Wait()
		var err error
		if p.lease != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), revokeTimeout)
			_, err = p.client.Revoke(ctx, p.lease)
			cancel()
			if err != nil && !errors.Is(err, errLeaseNotFound) {
				err = fmt.Errorf("etcd revoke: %w", err)
			} else {
				err = nil
			}
		}
		p.shutErr = errors.Join(err, p.client.Close())
	})
	return p.shutErr
}

// selfMember is this node as the other nodes must see it: the actor system's
// ID (the one gossip and the member list compare with), its remote address
// and the kinds it hosts.
func selfMember(c *cluster.Cluster) (member, error) {
	addr := c.ActorSystem.Address()
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return member{}, fmt.Errorf("etcd member: address %q: %w (is remote started?)", capped(addr), err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return member{}, fmt.Errorf("etcd member: address %q: bad port", capped(addr))
	}
	return member{ID: c.ActorSystem.ID, Host: host, Port: port, Kinds: c.GetClusterKinds()}, nil
}
