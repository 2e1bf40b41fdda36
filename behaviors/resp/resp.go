package resp

import (
	"sync/atomic"
	"time"

	pcluster "github.com/asynkron/protoactor-go/cluster"

	"async_server/behaviors/protocol"
)

// server is what the resp behavior's connections share: the settings in
// force and the counter of client IDs. The data is not here: it is the key
// space's (Store).
type server struct {
	cfg      *config
	nextID   atomic.Int64 // CLIENT ID: the last one given
	clients  clients      // every connection (CLIENT LIST, INFO clients)
	cmdStats []cmdStat    // by command index (flat): INFO commandstats
	started  time.Time
	metrics  *cmdMetrics // /metrics: nil with the observatory off
	// clustered: -cluster is on, and the key-space commands go to shard
	// grains through the shard router (cluster_route.go), which sets it
	// when it starts, before any connection.
	clustered atomic.Bool
	// oom: after the key space's last batch the data was over maxmemory
	// with nothing the policy may evict (Store.publishMemory). MULTI
	// refuses to queue commands then, as Redis does.
	oom atomic.Bool
	// shardOwed: batches the shard router has taken and not yet answered
	// (held for a grain's PID, or in flight); /metrics shows it.
	shardOwed atomic.Int64
	// shardMem: in cluster mode, the data of the shard grains this node
	// hosts, which -maxmemory applies to (memory_cluster.go).
	shardMem nodeMemory
	// direct: the key space's direct path (direct.go).
	direct *direct
	// brokerStopped: the pub/sub broker has stopped for good (its restart
	// budget spent; broker.go), so (P|S)SUBSCRIBE answers errServiceGone
	// at once, even on a connection that has not heard of it yet.
	brokerStopped atomic.Bool
}

// New returns the resp behavior's Setup: a session per connection, and the
// key space and pub/sub broker services. The Store and the Broker are made
// here, once, and captured by the services' New functions, so that an
// instance made after a failure finds the data its predecessor left.
func New(o Options) (protocol.Setup, error) {
	cfg, err := newConfig(o)
	if err != nil {
		return protocol.Setup{}, err
	}
	srv := &server{cfg: cfg, cmdStats: make([]cmdStat, len(flat)), started: time.Now()}
	st := NewStore(srv.cfg)
	srv.direct = newDirect(st, srv)
	br := NewBroker()
	return protocol.Setup{
		Metrics: srv.registerMetrics,
		Factory: func(c protocol.Conn) protocol.Protocol { return newSession(srv, c) },
		Services: []protocol.Service{
			{Name: keySpaceName, New: newKeySpace(st, srv, srv.direct), OnSender: true},
			{Name: brokerName, New: newBrokerService(br, srv), OnSender: true},
			{Name: shardRouterName, New: newShardRouter(srv)},
		},
		Grains: []*pcluster.Kind{newShardKind(srv)},
		Busy:   protocol.Busy{Reply: []byte("-ERR max number of clients reached\r\n")},
	}, nil
}
