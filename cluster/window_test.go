package cluster

import (
	"io"
	"sync"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	pcluster "github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/remote"
	"github.com/sirupsen/logrus"
	"google.golang.org/protobuf/proto"

	"async_server/cluster/clusterpb"
)

// TestWindowTake ensures a peer's window takes messages until the next
// would pass SendWindow, then none until half of it is acknowledged, takes
// any one message when empty (a PUBLISH may be larger than the window), and
// that an acknowledgement or a reset empties it but never below nothing
// (acknowledgements of bytes sent before a reset still arrive).
func TestWindowTake(t *testing.T) {
	w := newWindows(nil)
	p := w.peer("peer")
	steps := []struct {
		op   string
		n    int64
		ok   bool
		want int64 // in flight after
	}{
		{"take", SendWindow - 10, true, SendWindow - 10},
		{"take", 10, true, SendWindow},
		{"take", 1, false, SendWindow}, // full
		{"ack", 100, true, SendWindow - 100},
		{"take", 50, false, SendWindow - 100}, // full until down to half
		{"ack", SendWindow / 2, true, SendWindow/2 - 100},
		{"take", 100, true, SendWindow / 2}, // open again
		{"take", 100, true, SendWindow/2 + 100},
		{"ack", 2 * SendWindow, true, 0},
		{"take", 3 * SendWindow, true, 3 * SendWindow}, // empty: one message of any size
		{"take", 1, false, 3 * SendWindow},
		{"reset", 0, true, 0},
		{"take", 1, true, 1}, // a reset opens it
		{"ack", 5, true, 0},
	}
	for i, s := range steps {
		ok := true
		switch s.op {
		case "take":
			ok = p.take(s.n)
		case "ack":
			p.ack(s.n)
		case "reset":
			w.reset("peer")
		}
		if ok != s.ok || p.inFlight.Load() != s.want {
			t.Fatalf("step %d: %s(%d) = %v, in flight %d; want %v, %d", i, s.op, s.n, ok, p.inFlight.Load(), s.ok, s.want)
		}
	}
}

// TestUnwrap ensures the guard puts a Forwarded message back in the batch
// as the message it carries (counting its bytes for the acknowledgement),
// takes a WindowAck out of the batch, applying it to the peer's window, and
// has a malformed Forwarded dropped (no actor could read it).
func TestUnwrap(t *testing.T) {
	inner := &actor.PID{Address: "z", Id: "payload"}
	o := NewOutgoing(inner)
	fw, size := o.forwarded()
	fwData, _ := proto.Marshal(fw)
	ackData, _ := proto.Marshal(&clusterpb.WindowAck{Bytes: 300})
	b := &remote.MessageBatch{
		TypeNames: []string{forwardedName, windowAckName},
		Targets:   []*actor.PID{{Address: "x", Id: "a"}},
		Envelopes: []*remote.MessageEnvelope{
			{TypeId: 1, MessageData: ackData},
			{TypeId: 0, MessageData: fwData},
			{TypeId: 0, MessageData: []byte{0xff}}, // not a Forwarded: dropped
		},
	}
	w := newWindows(nil)
	w.peer("peer").inFlight.Store(1000)
	s := &guardedStream{win: w, from: "peer"}
	s.unwrap(b)
	if got := w.peer("peer").inFlight.Load(); got != 700 {
		t.Errorf("peer's window after its WindowAck of 300: %d in flight; want 700", got)
	}
	if n, why := filterBatch(b); n != 1 || why != "empty envelope" {
		t.Errorf("filterBatch after unwrap dropped %d (%s); want 1, the malformed Forwarded", n, why)
	}
	if len(b.Envelopes) != 1 {
		t.Fatalf("kept %d envelopes; want 1 (the ack taken out, the malformed one dropped)", len(b.Envelopes))
	}
	e := b.Envelopes[0]
	if name := b.TypeNames[e.TypeId]; name != "actor.PID" {
		t.Errorf("the forwarded envelope's type is %q; want actor.PID", name)
	}
	var got actor.PID
	if err := proto.Unmarshal(e.MessageData, &got); err != nil || !proto.Equal(&got, inner) {
		t.Errorf("the forwarded envelope holds %v (%v); want %v", &got, err, inner)
	}
	if s.unacked != size || size != int64(proto.Size(inner))+forwardOverhead {
		t.Errorf("unacked %d, counted %d; want both %d", s.unacked, size, proto.Size(inner)+forwardOverhead)
	}
}

// TestAckOnlyToPeers ensures a node acknowledges forwarded bytes only to
// another member: the address comes from the stream's ConnectRequest, which
// any client of -node-addr writes, and an ack to a stranger's address made
// remote dial it. Without remote here, a message to another node's PID is a
// dead letter, published as it is sent: the member's must be the only one.
func TestAckOnlyToPeers(t *testing.T) {
	sys := actor.NewActorSystem()
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	v := newView(Config{NodeAddr: "127.0.0.1:1"}, logrus.NewEntry(quiet))
	v.onTopology(&pcluster.ClusterTopology{Members: []*pcluster.Member{
		{Host: "127.0.0.1", Port: 1, Id: "self"}, {Host: "127.0.0.1", Port: 2, Id: "peer"}}})
	var mu sync.Mutex
	var to []string
	sub := sys.EventStream.Subscribe(func(evt any) {
		if d, ok := evt.(*actor.DeadLetterEvent); ok && d.PID.Id == ackName {
			mu.Lock()
			to = append(to, d.PID.Address)
			mu.Unlock()
		}
	})
	defer sys.EventStream.Unsubscribe(sub)
	n := &Node{c: &pcluster.Cluster{ActorSystem: sys}, view: v}
	n.sendAck("10.0.0.9:7", ackEvery)  // a stranger's claim
	n.sendAck("127.0.0.1:1", ackEvery) // this node's own address
	n.sendAck("127.0.0.1:2", ackEvery) // the peer
	// A dead letter is published as the message is sent, on this goroutine.
	mu.Lock()
	defer mu.Unlock()
	if len(to) != 1 || to[0] != "127.0.0.1:2" {
		t.Errorf("acks sent to %v; want the peer's only", to)
	}
}
