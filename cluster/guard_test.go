package cluster

import (
	"sync/atomic"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/protobuf/proto"
)

// TestFilterBatch ensures guard drops exactly the envelopes remote would
// crash on (an unknown type, an index past a table, an unknown serializer)
// and keeps the rest, in order. Without the filter, remote.Deserialize of
// the unknown type is the nil dereference that took a node down.
func TestFilterBatch(t *testing.T) {
	b := &remote.MessageBatch{
		TypeNames: []string{"actor.PID", "rogue.Unknown"},
		Targets:   []*actor.PID{{Address: "x", Id: "a"}},
		Senders:   []*actor.PID{{Address: "y", Id: "b"}},
	}
	env := func(typ, target, sender, ser int32) *remote.MessageEnvelope {
		return &remote.MessageEnvelope{TypeId: typ, Target: target, Sender: sender, SerializerId: ser, MessageData: []byte{}}
	}
	good1, good2 := env(0, 0, 0, 0), env(0, 0, 1, 1)
	b.Envelopes = []*remote.MessageEnvelope{
		env(1, 0, 0, 0),  // unknown type
		good1,            // known type, no sender
		env(2, 0, 0, 0),  // type index past the names
		env(-1, 0, 0, 0), // negative type index
		env(0, 1, 0, 0),  // target past the targets
		env(0, 0, 2, 0),  // sender past the senders
		env(0, 0, 0, 7),  // no such serializer
		good2,            // known type, a sender, JSON
		nil,
	}
	n, why := filterBatch(b)
	if n != 7 || why != "unknown message type rogue.Unknown" {
		t.Errorf("filterBatch = %d, %q; want 7, the unknown type first", n, why)
	}
	if len(b.Envelopes) != 2 || !proto.Equal(b.Envelopes[0], good1) || !proto.Equal(b.Envelopes[1], good2) {
		t.Errorf("kept %v; want the two good envelopes in order", b.Envelopes)
	}
	var dropped atomic.Int64
	if guard(nil, &dropped, newWindows(nil), nil) == nil {
		t.Fatal("guard = nil")
	}
}

// TestNodeOfUnclustered ensures NodeOf and Of answer nil on an actor system
// with no cluster, where protoactor's GetCluster panics, and that a nil
// Node's methods are harmless.
func TestNodeOfUnclustered(t *testing.T) {
	sys := actor.NewActorSystem()
	if n := NodeOf(sys); n != nil {
		t.Errorf("NodeOf = %v; want nil", n)
	}
	if c := Of(sys); c != nil {
		t.Errorf("Of = %v; want nil", c)
	}
	var n *Node
	n.Stop()
	if _, err := n.Request("r", "k", nil); err != ErrNotClustered {
		t.Errorf("nil Node: Request error %v; want ErrNotClustered", err)
	}
	if n.Lost() != nil || n.Members() != nil || n.Grains() != nil {
		t.Error("nil Node: want nil Lost, Members and Grains")
	}
}
