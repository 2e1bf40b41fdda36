package resp

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// TestRecycleOnlyAnswered ensures a collected segment goes back to the pool
// (cleared, its arguments dropped, its commands' array kept) only when
// nobody else can still touch it: the key space answered it. A segment
// whose answer did not come, EXEC's, a broker's or a shard's is left as it
// is, for the garbage collector.
func TestRecycleOnlyAnswered(t *testing.T) {
	ks, broker := &actor.PID{Id: "keyspace"}, &actor.PID{Id: "broker"}
	s := &session{keySpace: ks, broker: broker}
	mk := func(target *actor.PID, done, exec bool) *segment {
		seg := &segment{target: target, done: done, exec: exec, sent: true}
		seg.batch.Cmds = make([]cmd, 0, 16)
		seg.batch.Cmds = append(seg.batch.Cmds, cmd{Args: [][]byte{[]byte("get"), []byte("k")}}, cmd{Args: [][]byte{[]byte("get"), []byte("j")}})
		seg.b = &seg.batch
		return seg
	}
	seg := mk(ks, true, false)
	cmds := seg.batch.Cmds
	s.recycle(seg)
	if seg.target != nil || seg.sent || seg.done || len(seg.batch.Cmds) != 0 || cap(seg.batch.Cmds) != 16 {
		t.Errorf("answered by the key space: target %v, sent %v, done %v, %d commands (capacity %d); want a cleared segment keeping its array",
			seg.target, seg.sent, seg.done, len(seg.batch.Cmds), cap(seg.batch.Cmds))
	}
	for i, c := range cmds {
		if c.Args != nil {
			t.Errorf("command %d kept its arguments %q", i, c.Args)
		}
	}
	for name, seg := range map[string]*segment{
		"not answered": mk(ks, false, false),
		"EXEC":         mk(ks, true, true),
		"broker":       mk(broker, true, false),
		"shard":        mk(&actor.PID{Id: "shards"}, true, false),
	} {
		s.recycle(seg)
		if seg.target == nil || !seg.sent || len(seg.batch.Cmds) != 2 || seg.batch.Cmds[0].Args == nil {
			t.Errorf("%s: recycled (target %v, sent %v, %d commands); want it left as it was", name, seg.target, seg.sent, len(seg.batch.Cmds))
		}
	}
}
