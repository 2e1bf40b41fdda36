package crossnode_test

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/cluster/clustertest"
)

// TestPubSubAcrossNodes runs the resp behavior on three nodes (a static
// member list) and checks pub/sub across them: a PUBLISH on one node
// reaches SUBSCRIBE and PSUBSCRIBE clients of the others, once each and in
// order; its reply and PUBSUB count the publisher's node only (as in Redis
// Cluster).
func TestPubSubAcrossNodes(t *testing.T) {
	bin := clustertest.Build(t)
	nodes := clustertest.Start(t, clustertest.Options{Binary: bin, Behavior: "resp"})
	clustertest.WaitFormed(t, nodes)
	a, b, c := client(t, nodes[0]), client(t, nodes[1]), client(t, nodes[2])

	subB := subscribe(t, b.Subscribe(ctx(t), "news"))
	subC := subscribe(t, c.Subscribe(ctx(t), "news"))
	patC := subscribe(t, c.PSubscribe(ctx(t), "ne*"))
	subA := subscribe(t, a.Subscribe(ctx(t), "news"))

	const n = 20
	for i := range n {
		got, err := a.Publish(ctx(t), "news", "m"+string(rune('a'+i))).Result()
		if err != nil || got != 1 { // A's own subscriber: the node-local count
			t.Fatalf("PUBLISH on A: %d, %v; want 1 (A's subscribers only)", got, err)
		}
	}
	for name, s := range map[string]*redis.PubSub{"A": subA, "B": subB, "C": subC, "C's pattern": patC} {
		for i := range n {
			m := receive(t, s)
			want := "m" + string(rune('a'+i))
			if m.Channel != "news" || m.Payload != want {
				t.Fatalf("%s read %q on %q (pattern %q); want %q on news", name, m.Payload, m.Channel, m.Pattern, want)
			}
			if name == "C's pattern" && m.Pattern != "ne*" {
				t.Fatalf("C's pattern read pattern %q; want ne*", m.Pattern)
			}
		}
	}

	// Nothing more: each message came once (a PING's pong is the next push).
	for name, s := range map[string]*redis.PubSub{"B": subB, "C": subC, "C's pattern": patC} {
		if err := s.Ping(ctx(t)); err != nil {
			t.Fatalf("%s: PING: %v", name, err)
		}
		if msg, err := s.ReceiveTimeout(ctx(t), waitReply); err != nil {
			t.Fatalf("%s: reading the pong: %v", name, err)
		} else if _, ok := msg.(*redis.Pong); !ok {
			t.Fatalf("%s: read %#v after the %d messages; want the pong (a message came twice)", name, msg, n)
		}
	}

	// PUBSUB is node-local: B's node knows its own subscriber of news only.
	if got, err := b.PubSubNumSub(ctx(t), "news").Result(); err != nil || got["news"] != 1 {
		t.Fatalf("PUBSUB NUMSUB news on B: %v, %v; want 1", got, err)
	}

	// A message past gRPC's default 4 MiB crosses (it was refused over 1 MiB).
	big := strings.Repeat("x", 5<<20)
	if err := a.Publish(ctx(t), "news", big).Err(); err != nil {
		t.Fatalf("PUBLISH of 5 MiB on A: %v", err)
	}
	if m := receive(t, subB); m.Payload != big {
		t.Fatalf("B read %d bytes; want the 5 MiB message", len(m.Payload))
	}
}

// subscribe reads a (P)SUBSCRIBE's confirmation: once read, the
// subscription is with its node's broker (the connection tells it before
// it writes the confirmation).
func subscribe(t testing.TB, s *redis.PubSub) *redis.PubSub {
	t.Helper()
	t.Cleanup(func() { s.Close() })
	if _, err := s.ReceiveTimeout(ctx(t), waitReply); err != nil {
		t.Fatalf("subscribing: %v", err)
	}
	return s
}

// receive reads the next published message.
func receive(t testing.TB, s *redis.PubSub) *redis.Message {
	t.Helper()
	msg, err := s.ReceiveTimeout(ctx(t), waitReply)
	if err != nil {
		t.Fatalf("reading a message: %v", err)
	}
	m, ok := msg.(*redis.Message)
	if !ok {
		t.Fatalf("read %#v; want a message", msg)
	}
	return m
}
