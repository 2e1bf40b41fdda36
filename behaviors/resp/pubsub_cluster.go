package resp

import (
	"strconv"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/resp/resppb"
	acluster "async_server/cluster"
)

// Pub/sub in cluster mode (-cluster): every node's broker forwards each
// PUBLISH (and SPUBLISH) made on its node to every other member's broker,
// as one resppb.Published each, and a broker delivers what it is forwarded
// to its own subscribers only (never forwarding it again). This is what
// Redis Cluster does (a PUBLISH goes to every node over the cluster bus),
// and for the same reason: a pattern (PSUBSCRIBE) can match any channel,
// so only a broadcast reaches every pattern subscriber of every node
// without each node telling a central place its patterns. A grain per
// channel would save the messages to nodes without subscribers, but could
// not serve patterns, and would add a grain lookup to every SUBSCRIBE.
//
// What follows, as in Redis Cluster: PUBLISH answers how many of ITS
// node's connections received the message; PUBSUB CHANNELS, NUMSUB,
// NUMPAT, SHARDCHANNELS and SHARDNUMSUB count this node's subscribers
// only. Delivery across nodes is at most once: a node that is down, or a
// link that breaks, loses what was in flight, and nothing is sent again;
// and a node that stalls or falls behind gets nothing more once this node
// has SendWindow bytes unacknowledged at it (cluster.Node.Forward), so a
// stalled node cannot make this one hold every publication meanwhile.
// A subscriber on another node gets one publisher's messages in the order
// they were published (remote keeps one ordered stream per pair of nodes);
// its output limit applies as to a local publication (it is the same
// published value once it reaches its node).

// maxCrossPublish bounds the channel and payload of a PUBLISH in cluster
// mode as maxCrossBytes bounds a shard's batch: remote sends what is
// queued for a node as one gRPC message, lost whole past the nodes' limit
// (cluster.MaxBatchBytes), so a larger message is refused with an error
// rather than lost.
const maxCrossPublish = maxCrossBytes

// errCrossPublish is the reply to a PUBLISH over maxCrossPublish.
var errCrossPublish = "ERR message and channel over " + strconv.Itoa(maxCrossPublish) + " bytes cannot cross the cluster"

// publishCmd is PUBLISH (shard false) and SPUBLISH: delivered to this node's
// subscribers, its count the reply, and forwarded to the other nodes'.
func publishCmd(c *Call, shard bool) {
	node := acluster.NodeOf(c.Ctx.ActorSystem())
	channel, payload := c.Args[1], c.Args[2]
	if node != nil && len(channel)+len(payload) > maxCrossPublish {
		c.W.Error(errCrossPublish)
		return
	}
	c.W.Int(int64(c.Broker.publish(c.Ctx, c.Client, c.W, shard, string(channel), string(payload))))
	if node == nil {
		return
	}
	// The arguments share their read's buffer, and remote serializes the
	// message later, on its own goroutine: send copies.
	// Forward, not Send: what this node may queue for a node that stalls is
	// bounded by its send window, past which a publication is dropped for
	// that node (at most once: cluster/window.go).
	msg := acluster.NewOutgoing(&resppb.Published{Channel: clone(channel), Payload: clone(payload), Shard: shard})
	self := c.Ctx.Self().Id
	for _, m := range node.Members() {
		if !m.Self {
			node.Forward(c.Ctx, actor.NewPID(m.Addr, self), msg)
		}
	}
}

// onForwarded delivers a publication another node's broker forwarded to
// this node's subscribers.
func (b *Broker) onForwarded(ctx actor.Context, m *resppb.Published) {
	b.publish(ctx, nil, nil, m.GetShard(), string(m.GetChannel()), string(m.GetPayload()))
}
