package cluster

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/proto"

	"async_server/cluster/clusterpb"
)

// The send window: what this node may have queued for one other node of
// the messages it sends fire and forget (Forward: resp's PUBLISH to the
// other brokers, a chat room's lines to members on other nodes, the
// pinger's pings).
//
// Remote queues what is sent to a node in its endpoint writer's mailbox, a
// queue that grows without bound, while the writer waits on that node's
// gRPC flow control: a node that stalls (SIGSTOP, a frozen VM) made the
// node that kept sending to it grow by everything sent (32 MB to 647 MB of
// RSS under 300 000 PUBLISHes of 1 KB; docs/cluster.md), outside
// -memory-budget. So Forward counts the bytes it sends each peer (its
// window's in-flight bytes), the peer's guard counts what it receives from
// this node and acknowledges it every ackEvery bytes (a
// clusterpb.WindowAck, which this node's guard takes), and a message that
// would take a peer past SendWindow is dropped and counted, as is every
// one after it until half the window is acknowledged. Delivery of
// such messages is at most once already (a link that breaks loses what is
// in flight), so a drop breaks no promise.
//
// A window is reset (to nothing in flight) when the link to its peer ends
// or is made again, and when the peer leaves the topology: remote drops
// what it had queued for the old link, whose bytes will never be
// acknowledged, and a node restarted under the same address counts from
// zero; acknowledgements of bytes sent before the reset still arrive and
// are taken (a window never goes below empty).

// SendWindow is how many bytes of forwarded messages this node may have
// unacknowledged at one peer: enough for a burst (thousands of chat lines,
// a 5 MiB publication several times over) and for the acknowledgements'
// round trip, and half of -output-limit's default (32 MiB), so that a
// stalled node's backlog, delivered at once when it wakes, does not by
// itself close a subscriber there. A message larger than the window is
// still sent when nothing is in flight (a PUBLISH may carry up to 768 MiB),
// so what one peer costs is at most the window or one message, whichever
// is larger.
const SendWindow = 16 << 20

// forwardOverhead is what a forwarded message counts besides its encoding:
// what it costs queued for remote besides its bytes (the message, its
// wrapping, remote's delivery record, the queue's slot), so that a flood of
// small messages is bounded as surely as one of large ones. Measured: 300 000
// PUBLISHes of 8 bytes queued for a stopped node took 151 MB, about 500
// bytes each.
const forwardOverhead = 512

// ackEvery is how many received bytes a node acknowledges at once: a small
// fraction of the window (the sender waits for no acknowledgement while
// its window has room), and one WindowAck per 256 KiB costs little.
const ackEvery = 256 << 10

// windowLogEvery bounds the log lines of a peer's drops: at most one a
// peer per this long, with how many were dropped since the last.
const windowLogEvery = 10 * time.Second

// ackName is the actor a WindowAck is addressed to on the sender's node.
// No such actor exists: the guard takes the message out of the batch first.
const ackName = "cluster-window"

// Type names of package cluster's own messages, as remote's batches carry them.
var (
	forwardedName = string(proto.MessageName(&clusterpb.Forwarded{}))
	windowAckName = string(proto.MessageName(&clusterpb.WindowAck{}))
)

// windows is every peer's send window, by address. Forward (any actor's
// goroutine), the guard (gRPC's stream goroutines) and the event stream's
// handlers use it: the map is under mu, a window's counts are atomics.
type windows struct {
	log   *logrus.Entry
	mu    sync.Mutex
	peers map[string]*peerWindow
}

// peerWindow is one peer's send window.
type peerWindow struct {
	inFlight      atomic.Int64 // bytes forwarded and not acknowledged; at most SendWindow but for one larger message
	full          atomic.Bool  // a message was dropped: none is taken until inFlight is down to reopenAt
	dropped       atomic.Int64 // messages dropped, ever
	loggedDropped atomic.Int64 // dropped as of the last log line
	lastLog       atomic.Int64 // when the last drop line was logged (UnixNano)
}

func newWindows(log *logrus.Entry) *windows {
	return &windows{log: log, peers: map[string]*peerWindow{}}
}

// peer returns addr's window, made empty on first use.
func (w *windows) peer(addr string) *peerWindow {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.peers[addr]
	if !ok {
		p = &peerWindow{}
		w.peers[addr] = p
	}
	return p
}

// reopenAt is where a full window takes messages again: half of it
// acknowledged. So each sender's messages to a peer arrive as those sent
// before its window filled, then, after a gap, those sent once it had room
// again (never a small one slipped in between larger ones dropped), and a
// peer that only just falls behind is not given one message in two.
const reopenAt = SendWindow / 2

// take counts size bytes in flight and reports true, or reports false when
// they would take the window past SendWindow, or the window is full (it
// dropped a message and is not yet down to reopenAt). A window with
// nothing in flight takes any one message.
func (p *peerWindow) take(size int64) bool {
	if p.full.Load() {
		if p.inFlight.Load() > reopenAt {
			return false
		}
		p.full.Store(false)
	}
	for {
		cur := p.inFlight.Load()
		if cur > 0 && cur+size > SendWindow {
			p.full.Store(true)
			return false
		}
		if p.inFlight.CompareAndSwap(cur, cur+size) {
			return true
		}
	}
}

// ack takes n acknowledged bytes off the window, never below empty.
func (p *peerWindow) ack(n int64) {
	for {
		cur := p.inFlight.Load()
		if p.inFlight.CompareAndSwap(cur, max(cur-n, 0)) {
			return
		}
	}
}

// lookup returns addr's window, or nil if nothing was ever forwarded there.
// Unlike peer it makes none: what only reads or lowers a window (an
// acknowledgement, a reset) must not add one for an address this node never
// sent to, such as any address a stream's ConnectRequest claims.
func (w *windows) lookup(addr string) *peerWindow {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peers[addr]
}

// reset empties addr's window: its link ended or was made again, or it left.
func (w *windows) reset(addr string) {
	if p := w.lookup(addr); p != nil { // else nothing was ever forwarded there (this node's own address, say)
		p.inFlight.Store(0)
		p.full.Store(false)
	}
}

// watch resets a peer's window at each event that ends what was in flight
// to it (the event stream's handlers run on the publisher's goroutine).
func (w *windows) watch(sys *actor.ActorSystem) {
	sys.EventStream.Subscribe(func(evt any) {
		switch e := evt.(type) {
		case *remote.EndpointConnectedEvent:
			w.reset(e.Address)
		case *remote.EndpointTerminatedEvent:
			w.reset(e.Address)
		case *pcluster.ClusterTopology:
			for _, m := range e.Left {
				w.reset(m.Address())
			}
			for _, m := range e.Joined {
				w.reset(m.Address())
			}
		}
	})
}

// dropped counts a message dropped at addr's full window, and logs it at
// most once per windowLogEvery for that peer.
func (w *windows) dropped(addr string, p *peerWindow) {
	total := p.dropped.Add(1)
	now, last := time.Now().UnixNano(), p.lastLog.Load()
	if now-last < int64(windowLogEvery) || !p.lastLog.CompareAndSwap(last, now) {
		return
	}
	w.log.WithFields(logrus.Fields{"peer": addr, "window": SendWindow, "in_flight": p.inFlight.Load(),
		"dropped": total - p.loggedDropped.Swap(total)}).Warn("cluster: a peer's send window is full: dropping messages forwarded to it")
}

// Outgoing is a message for Forward, encoded once (when first sent to
// another node) for all its targets. Immutable once made.
type Outgoing struct {
	msg  proto.Message
	once sync.Once
	fw   *clusterpb.Forwarded // nil when msg cannot be encoded
}

// NewOutgoing returns msg ready for Forward. msg must not change after.
func NewOutgoing(msg proto.Message) *Outgoing { return &Outgoing{msg: msg} }

// forwarded returns the message encoded, and what it counts in a window.
func (o *Outgoing) forwarded() (*clusterpb.Forwarded, int64) {
	o.once.Do(func() {
		if data, err := proto.Marshal(o.msg); err == nil {
			o.fw = &clusterpb.Forwarded{Type: string(proto.MessageName(o.msg)), Data: data}
		}
	})
	if o.fw == nil {
		return nil, 0
	}
	return o.fw, int64(len(o.fw.Data)) + forwardOverhead
}

// Forward sends o's message to pid, fire and forget, as ctx.Send does; to
// an actor on another node only within that node's send window (SendWindow).
// It reports whether it sent it: a message over the window is dropped,
// counted (async_server_cluster_forward_drops_total) and logged (at most a
// line per peer per windowLogEvery). The receiver gets the message itself,
// as if sent with ctx.Send. On a nil Node, or to a local actor, it is
// ctx.Send.
func (n *Node) Forward(ctx actor.SenderContext, pid *actor.PID, o *Outgoing) bool {
	if n == nil || pid.GetAddress() == n.cfg.NodeAddr || pid.GetAddress() == ctx.ActorSystem().Address() {
		ctx.Send(pid, o.msg)
		return true
	}
	fw, size := o.forwarded()
	if fw == nil { // it cannot be encoded: remote could not send it either
		return false
	}
	p := n.windows.peer(pid.GetAddress())
	if !p.take(size) {
		n.windows.dropped(pid.GetAddress(), p)
		return false
	}
	ctx.Send(pid, fw)
	return true
}

// sendAck tells the node at addr that n more bytes of its forwarded
// messages were received (the guard calls it, on a stream's goroutine).
// addr is what the stream's ConnectRequest claims, and any client of
// -node-addr may claim any address: an ack to one that is not another
// member's made remote dial it (5 times, 2 s apart, two error lines each),
// so the node dialled and logged wherever a stranger told it to.
func (n *Node) sendAck(addr string, bytes int64) {
	if !n.view.isPeer(addr) {
		return
	}
	n.c.ActorSystem.Root.Send(actor.NewPID(addr, ackName), &clusterpb.WindowAck{Bytes: uint64(bytes)})
}

// windowCollector exports every peer's window: its bytes in flight (a
// gauge) and its drops (a counter), labelled with the peer's address.
type windowCollector struct {
	w                 *windows
	inFlight, dropped *prometheus.Desc
}

func newWindowCollector(w *windows) *windowCollector {
	return &windowCollector{w: w,
		inFlight: prometheus.NewDesc("async_server_cluster_forward_bytes_in_flight",
			"Bytes this node forwarded to the peer (resp's PUBLISH, chat's lines) that the peer has not acknowledged; at most the send window (16 MiB) but for one larger message.",
			[]string{"peer"}, nil),
		dropped: prometheus.NewDesc("async_server_cluster_forward_drops_total",
			"Messages this node did not forward to the peer because its send window was full (the peer stalls or is slow).",
			[]string{"peer"}, nil)}
}

func (c *windowCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.inFlight; ch <- c.dropped }

func (c *windowCollector) Collect(ch chan<- prometheus.Metric) {
	c.w.mu.Lock()
	peers := maps.Clone(c.w.peers)
	c.w.mu.Unlock()
	for _, a := range slices.Sorted(maps.Keys(peers)) {
		p := peers[a]
		ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(p.inFlight.Load()), a)
		ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(p.dropped.Load()), a)
	}
}
