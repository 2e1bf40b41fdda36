package etcdmembers

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// TestFenceClock states when the fence is shut, by its clock alone: before
// the lease is granted; more than 3/4 of the TTL after the send of the last
// acknowledged keep-alive (an older acknowledgement arriving late does not
// move that back); and for good once closed.
func TestFenceClock(t *testing.T) {
	const ttl = time.Second
	var f fence
	f.init()
	at := func(d time.Duration) time.Time { return f.start.Add(d) }
	check := func(what string, now time.Duration, want bool) {
		t.Helper()
		if got, _ := f.closedAt(now); got != want {
			t.Errorf("%s: closed at %v = %v; want %v", what, now, got, want)
		}
	}
	check("before the grant", 0, true)
	f.open(ttl, at(0))
	check("just granted", 0, false)
	check("at 3/4 TTL", 750*time.Millisecond, false)
	check("past 3/4 TTL", 751*time.Millisecond, true)
	f.ack(at(500 * time.Millisecond))
	check("acknowledged, sent at 500ms", 1250*time.Millisecond, false)
	check("3/4 TTL past that send", 1251*time.Millisecond, true)
	f.ack(at(100 * time.Millisecond)) // an older send, acknowledged late
	check("after a late older acknowledgement", 1251*time.Millisecond, true)
	f.ack(at(time.Second))
	f.close()
	check("closed for good", time.Second, true)
	f.ack(at(2 * time.Second))
	check("closed, then acknowledged", 2*time.Second, true)
}

// TestFenceClosedSince states when the lease-lost line says the fence
// closed: 3/4 of the TTL past the last acknowledged send, or when it was shut
// if that came first (the watch saw the lease go).
func TestFenceClosedSince(t *testing.T) {
	var f fence
	f.init()
	f.open(time.Second, f.start)
	f.ack(f.start.Add(500 * time.Millisecond))
	if got, want := f.closedSince(), f.start.Add(1250*time.Millisecond); !got.Equal(want) {
		t.Errorf("closed by the clock: closedSince = start+%v; want start+%v", got.Sub(f.start), want.Sub(f.start))
	}
	var g fence
	g.init()
	g.open(time.Hour, g.start)
	before := time.Now()
	g.close()
	if got := g.closedSince(); got.Before(g.start) || got.After(time.Now()) || got.Sub(before) > time.Second {
		t.Errorf("shut at once: closedSince = start+%v; want about now (start+%v)", got.Sub(g.start), before.Sub(g.start))
	}
	g.close() // a second close keeps the first time
}

// TestFenceDrops states what a shut fence lets through to a grain: its own
// lifecycle (so it can stop) and ClusterInit, and nothing it could act on:
// not a user message, not the Terminated of an actor it watches (a chat
// room broadcast "* dave left" from a grain fenced on waking, read by a
// member after the room had moved: TestChatNodeDiesEtcd), not a receive
// timeout.
func TestFenceDrops(t *testing.T) {
	p := &Provider{log: logOrDiscard(nil)}
	p.fence.init()
	p.fence.open(time.Hour, time.Now())
	p.fence.close()
	for _, tc := range []struct {
		msg  any
		pass bool
	}{
		{&actor.Started{}, true},
		{&actor.Stopping{}, true},
		{&actor.Stopped{}, true},
		{&actor.Restarting{}, true},
		{&actor.PoisonPill{}, true},
		{&cluster.ClusterInit{}, true},
		{"hello", false},
		{&actor.Terminated{Who: actor.NewPID("127.0.0.1:1", "conn-1")}, false},
		{&actor.ReceiveTimeout{}, false},
	} {
		passed := false
		p.Fence(func(actor.ReceiverContext, *actor.MessageEnvelope) { passed = true })(nil, &actor.MessageEnvelope{Message: tc.msg})
		if passed != tc.pass {
			t.Errorf("a shut fence passes %T: %v; want %v", tc.msg, passed, tc.pass)
		}
	}
}

// BenchmarkFence is the fence's cost on every grain message: an open fence
// (the common case) beside no middleware at all.
func BenchmarkFence(b *testing.B) {
	p := &Provider{log: logOrDiscard(nil)}
	p.fence.init()
	p.fence.open(time.Hour, time.Now())
	env := &actor.MessageEnvelope{Message: "hello"}
	var n int
	next := func(actor.ReceiverContext, *actor.MessageEnvelope) { n++ }
	b.Run("none", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			next(nil, env)
		}
	})
	b.Run("fence", func(b *testing.B) {
		f := p.Fence(next)
		for i := 0; i < b.N; i++ {
			f(nil, env)
		}
	})
	if n == 0 {
		b.Fatal("next never called")
	}
}
