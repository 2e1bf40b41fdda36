package cluster

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
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
