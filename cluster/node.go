package cluster

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/extensions"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/sirupsen/logrus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"async_server/cluster/etcdmembers"
)

// Node is this process's membership in a cluster: remote, the protoactor
// cluster and its member provider, on the server's actor system. Start makes
// it, before anything listens; Stop ends it, after the connections have
// drained. A nil *Node is no cluster: its methods do nothing.
type Node struct {
	cfg      Config
	c        *pcluster.Cluster
	provider pcluster.ClusterProvider
	log      *logrus.Entry
	view     *view      // the members and grains as this node sees them (/tree, metrics)
	lost     chan error // the membership is lost (an etcd lease): the node must exit; buffered 1
	stopOnce sync.Once
	stopped  chan struct{} // closed once Stop has returned
	ping     *pinger       // keeps the links to the other members up; stopped first in Stop
	outcomes *actor.PID    // counts FindFuture's failures (request.go)
	windows  *windows      // the send windows of Forward, one per peer (window.go)
	conns    *connLimit    // bounds the connections to -node-addr (conns.go)
}

// nodeExtension registers a Node on its actor system, for NodeOf.
var nodeExtension = extensions.NextExtensionID()

// ExtensionID makes a Node an actor system extension (NodeOf finds it).
func (n *Node) ExtensionID() extensions.ExtensionID { return nodeExtension }

// NodeOf returns the cluster node running on sys, or nil when the server is
// not clustered. Service actors and grains call it with ctx.ActorSystem().
func NodeOf(sys *actor.ActorSystem) *Node {
	n, _ := sys.Extensions.Get(nodeExtension).(*Node)
	return n
}

// Of returns the protoactor cluster running on sys, or nil when the server is
// not clustered (protoactor's own GetCluster panics then).
func Of(sys *actor.ActorSystem) *pcluster.Cluster {
	return NodeOf(sys).Cluster()
}

// Cluster returns the protoactor cluster, or nil for a nil Node.
func (n *Node) Cluster() *pcluster.Cluster {
	if n == nil {
		return nil
	}
	return n.c
}

// Config returns the node's configuration (the zero Config for a nil Node).
func (n *Node) Config() Config {
	if n == nil {
		return Config{}
	}
	return n.cfg
}

// Lost is closed, or sent the reason, when the node has lost its membership
// (an etcd lease that expired while it stalled): the process must exit with
// ExitLeaseLost, as its grains may already live elsewhere. Nil for a nil
// Node (a nil channel never receives).
func (n *Node) Lost() <-chan error {
	if n == nil {
		return nil
	}
	return n.lost
}

// ExitLeaseLost is the exit status of a node that lost its membership or
// could not reach etcd at start: distinct from 1 (a failure to start, such
// as a port in use) and 2 (a bad command line), for a process supervisor to
// restart it.
const ExitLeaseLost = 3

// gossipOff is the gossip's interval: never, in effect. Nothing here uses
// the gossip (placement is disthash's, membership the provider's), and at
// this version it races (-race: its state is changed while remote
// serializes the last round) and blocks, for good, IDs it has seen leave.
// The links between members are kept up by the pinger instead.
const gossipOff = time.Duration(1 << 62)

// MaxBatchBytes is the largest gRPC message a node sends another, and takes
// from it: gRPC's most (an int32's; protobuf's own limit is 2 GiB), not its
// 4 MiB default. Remote sends a node, as ONE message, every message queued
// for it (up to 1000), however large: under the default, a burst of replies
// of a few hundred KiB each, or one value of 5 MiB, made a batch the
// receiver refused (ResourceExhausted), and remote lost the whole batch and
// reconnected. What bounds a batch now is what the senders queue, which is
// in their memory already; a behavior bounds each message it sends (resp's
// maxCrossBytes: 768 MiB) so that a few fit in one batch. The cluster port is for
// trusted peers only (docs/cluster.md): one can make a node allocate up to
// this much for one message.
const MaxBatchBytes = math.MaxInt32

// startTimeout bounds the wait for etcd at start (the 5 s): the
// etcd provider gives up after it with etcdmembers.ErrUnreachable.
// startWithin waits startSlack more, a backstop for the rest of the start
// (remote, the library's 1 s sleep).
const (
	startTimeout = 5 * time.Second
	startSlack   = 3 * time.Second
)

// Start joins the cluster cfg names on sys, hosting kinds (the behaviors'
// grains). Call it before anything is spawned on sys: the actors' PIDs carry
// the node's address only from here on. It returns nil, nil when cfg is not
// Enabled.
func Start(sys *actor.ActorSystem, cfg Config, kinds []*pcluster.Kind, log *logrus.Entry) (*Node, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log = log.WithFields(logrus.Fields{"cluster": cfg.Name, "node": cfg.NodeAddr})
	n := &Node{cfg: cfg, log: log, lost: make(chan error, 1), stopped: make(chan struct{})}
	provider, fence, err := n.newProvider()
	if err != nil {
		return nil, err
	}
	n.provider = provider
	host, portText, _ := net.SplitHostPort(cfg.NodeAddr) // Validate checked it
	port, _ := strconv.Atoi(portText)
	n.view = newView(cfg, log)
	n.windows = newWindows(log)
	n.conns = newConnLimit(MaxNodeConns, log)
	rcfg := remote.Configure(host, port,
		remote.WithAdvertisedHost(cfg.NodeAddr),
		remote.WithServerOptions(grpc.StreamInterceptor(guard(log, &n.view.dropped, n.windows, n.sendAck)),
			grpc.UnaryInterceptor(refuseUnary),
			grpc.Creds(n.conns), grpc.StatsHandler(n.conns), grpc.MaxConcurrentStreams(MaxNodeStreams),
			grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: connIdleTimeout}),
			grpc.MaxRecvMsgSize(MaxBatchBytes), grpc.MaxSendMsgSize(MaxBatchBytes),
			grpc.ConnectionTimeout(handshakeTimeout)),
		remote.WithDialOptions(grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithStreamInterceptor(closeFailedDials)),
		remote.WithCallOptions(grpc.MaxCallRecvMsgSize(MaxBatchBytes), grpc.MaxCallSendMsgSize(MaxBatchBytes)))
	ccfg := pcluster.Configure(cfg.Name, n.provider, disthash.New(), rcfg,
		pcluster.WithKinds(n.view.track(kinds, fence)...),
		pcluster.WithRequestTimeout(cfg.RequestTimeout))
	ccfg.GossipInterval = gossipOff
	n.c = pcluster.New(sys, ccfg)
	sys.Extensions.Register(n)
	n.view.watch(sys)
	n.windows.watch(sys)
	n.ping = newPinger(sys, newListCheck(cfg, log)) // before remote listens: see newPinger
	if err := n.startWithin(startTimeout + startSlack); err != nil {
		n.ping.stop()
		return nil, err
	}
	n.ping.start(n.view.peers, n)
	n.outcomes, _ = sys.Root.SpawnNamed(actor.PropsFromFunc(n.view.countOutcomes), outcomesName)
	log.WithField("members", n.view.memberCount()).Info("cluster member started")
	return n, nil
}

// ErrUnavailable is why a node could not join: its membership store (etcd)
// did not answer within startTimeout. main exits with ExitLeaseLost then.
var ErrUnavailable = errors.New("cluster: membership store unavailable")

// startWithin runs startMember, waiting at most d for it with etcd: a
// provider that cannot reach etcd may block for good. The process exits
// then, so the goroutine left behind does not outlive it for long.
func (n *Node) startWithin(d time.Duration) error {
	if len(n.cfg.Etcd) == 0 {
		return n.startMember()
	}
	done := make(chan error, 1)
	go func() { done <- n.startMember() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("%w: -etcd %s: no answer within %v", ErrUnavailable, strings.Join(n.cfg.Etcd, ","), d)
	}
}

// startMember runs StartMember, which panics where it cannot go on (remote
// cannot listen, the provider fails) and sleeps 1 s at its end.
func (n *Node) startMember() (err error) {
	defer func() {
		r := recover()
		switch cause, _ := r.(error); {
		case r == nil:
		case errors.Is(cause, etcdmembers.ErrUnreachable): // etcd went between New and StartMember
			err = fmt.Errorf("%w: -etcd: %w", ErrUnavailable, cause)
		default:
			err = fmt.Errorf("-node-addr %s: cannot join the cluster: %v", n.cfg.NodeAddr, r)
		}
	}()
	n.c.StartMember()
	return nil
}

// newProvider makes the member provider cfg asks for, and the middleware
// its grains need (the etcd provider's fence; nil for none).
func (n *Node) newProvider() (pcluster.ClusterProvider, actor.ReceiverMiddleware, error) {
	if len(n.cfg.Peers) > 0 {
		return newStaticProvider(n.cfg.Peers), nil, nil
	}
	provider, fence := newEtcd(n.cfg, n.leaseLost, n.log)
	return provider, fence, nil
}

// leaseLost is the etcd provider's callback: the first reason is kept.
func (n *Node) leaseLost(err error) {
	select {
	case n.lost <- err:
		n.log.WithError(err).Error("cluster membership lost: exiting")
	default:
	}
}

// handshakeTimeout bounds how long a connection to -node-addr may take to
// begin speaking HTTP/2 (gRPC's ConnectionTimeout, 120 s by default): a peer
// sends its preface at once. Remote's stop waits for every connection still
// in its handshake, so one that sent nothing held a node's shutdown until
// the last-resort exit (15 s, exit 1), and each held a descriptor.
const handshakeTimeout = time.Second

// Stop leaves the cluster, in the order that lets the others see it at once
// and that loses no log line: the provider first (etcd: the lease is
// revoked, so the others route no new request here), then the identity
// lookup, which stops every grain hosted here (a grain may tell its members
// where it went), then Shutdown(false), which stops remote. Shutdown(true)
// would sleep 2 s for a handover disthash does not have. Calling it again
// does nothing; a nil Node does nothing.
func (n *Node) Stop() {
	if n == nil {
		return
	}
	n.stopOnce.Do(func() {
		began := time.Now()
		n.ping.stop()
		if err := n.provider.Shutdown(true); err != nil {
			n.log.WithError(err).Warn("cluster provider shutdown")
		}
		n.c.IdentityLookup.Shutdown()
		n.c.Shutdown(false)
		n.c.ActorSystem.Root.Stop(n.outcomes)
		n.log.WithField("took", time.Since(began).Round(time.Millisecond).String()).Info("left the cluster")
		close(n.stopped)
	})
}
