package resp_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"async_server/actors"
	"async_server/observatory"
	"async_server/testkit"
)

// TestGoRedisPubSub ensures go-redis subscribers, in RESP2 and RESP3, get
// what another connection publishes to their channels, patterns and shard
// channels, and that PUBSUB's counts follow subscriptions.
func TestGoRedisPubSub(t *testing.T) {
	forProtocols(t, func(t *testing.T, rdb *redis.Client) {
		ctx, k := context.Background(), keyer(t)
		ch, other := k("news"), k("sport")
		ps := rdb.Subscribe(ctx, ch)
		defer ps.Close()
		if err := ps.PSubscribe(ctx, k("n*")); err != nil {
			t.Fatalf("PSUBSCRIBE: %v", err)
		}
		waitSubscribed(t, ps, 2)
		if list, _ := rdb.ClientList(ctx).Result(); !strings.Contains(list, " sub=1 psub=1 ") {
			t.Fatalf("CLIENT LIST has no subscriber with sub=1 psub=1:\n%s", list)
		}
		if n, _ := rdb.Publish(ctx, ch, "hello").Result(); n != 2 {
			t.Fatalf("PUBLISH to a channel and a pattern = %d; want 2", n)
		}
		want := []string{"message " + ch + " hello", "pmessage " + k("n*") + " " + ch + " hello"}
		got := []string{describe(t, ps), describe(t, ps)}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("received %q; want %q", got, want)
		}
		if n, _ := rdb.Publish(ctx, other, "x").Result(); n != 0 {
			t.Fatalf("PUBLISH to nobody = %d", n)
		}
		if got, _ := rdb.PubSubNumSub(ctx, ch, other).Result(); got[ch] != 1 || got[other] != 0 {
			t.Fatalf("PUBSUB NUMSUB = %v", got)
		}
		if got, _ := rdb.PubSubChannels(ctx, k("*")).Result(); !slices.Equal(got, []string{ch}) {
			t.Fatalf("PUBSUB CHANNELS = %v", got)
		}
		if n, _ := rdb.PubSubNumPat(ctx).Result(); n < 1 {
			t.Fatalf("PUBSUB NUMPAT = %d", n)
		}
		if err := ps.Unsubscribe(ctx, ch); err != nil {
			t.Fatalf("UNSUBSCRIBE: %v", err)
		}
		waitNumSub(t, rdb, ch, 0)
		shard := rdb.SSubscribe(ctx, k("s"))
		defer shard.Close()
		waitSubscribed(t, shard, 1)
		if n, _ := rdb.SPublish(ctx, k("s"), "m").Result(); n != 1 {
			t.Fatalf("SPUBLISH = %d", n)
		}
		if got := describe(t, shard); got != "message "+k("s")+" m" {
			t.Fatalf("shard message = %q", got)
		}
	})
}

// waitSubscribed reads subscription confirmations until there are n.
func waitSubscribed(t *testing.T, ps *redis.PubSub, n int) {
	t.Helper()
	for {
		msg, err := ps.ReceiveTimeout(context.Background(), 5*time.Second)
		if err != nil {
			t.Fatalf("waiting for subscriptions: %v", err)
		}
		if s, ok := msg.(*redis.Subscription); ok && s.Count == n {
			return
		}
	}
}

// describe receives one message and writes it as "message CH PAYLOAD" or
// "pmessage PATTERN CH PAYLOAD".
func describe(t *testing.T, ps *redis.PubSub) string {
	t.Helper()
	msg, err := ps.ReceiveTimeout(context.Background(), 5*time.Second)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	m, ok := msg.(*redis.Message)
	if !ok {
		t.Fatalf("received %T %v; want a message", msg, msg)
	}
	if m.Pattern != "" {
		return "pmessage " + m.Pattern + " " + m.Channel + " " + m.Payload
	}
	return "message " + m.Channel + " " + m.Payload
}

// waitNumSub waits until PUBSUB NUMSUB says ch has n subscribers (the
// broker hears of a subscription change after the subscriber's reply).
func waitNumSub(t *testing.T, rdb *redis.Client, ch string, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := rdb.PubSubNumSub(context.Background(), ch).Result()
		if err == nil && got[ch] == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PUBSUB NUMSUB %s = %v, %v; want %d", ch, got, err, n)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not guessing a delay
	}
}

// TestPubSubSubscribedModeRESP2 ensures a RESP2 subscriber may run only
// (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET, with Redis 7.0's
// error and its subscribed PING reply, byte for byte, and that it may run
// anything again once it has no subscription left. (UNSUBSCRIBE with no
// channel goes through them sorted; Redis's order is its hash table's.)
func TestPubSubSubscribedModeRESP2(t *testing.T) {
	srv := startResp(t)
	c := srv.Dial(t)
	c.SendString("SUBSCRIBE c1 c2\r\nGET x\r\nPING\r\nPING hi\r\nPUBSUB NUMSUB\r\nUNSUBSCRIBE\r\nUNSUBSCRIBE\r\nGET x\r\n")
	c.ExpectString("*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nc2\r\n:2\r\n" +
		"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
		"*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$2\r\nhi\r\n" +
		"-ERR Can't execute 'pubsub|numsub': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
		"*3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nc2\r\n:0\r\n" +
		"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n$-1\r\n")
}

// TestPubSubRESP3Push ensures a RESP3 subscriber gets push messages, runs
// other commands meanwhile, and receives its own publication before
// PUBLISH's reply, as Redis writes them.
func TestPubSubRESP3Push(t *testing.T) {
	srv := startResp(t)
	c := srv.Dial(t)
	c.SendString("HELLO 3\r\n")
	for c.ReadLine() != "*0" { // HELLO's map, which ends with modules: an empty array
	}
	c.SendString("SUBSCRIBE c1\r\nGET x\r\nPING\r\nPUBLISH c1 self\r\nUNSUBSCRIBE c9\r\nUNSUBSCRIBE\r\nPUNSUBSCRIBE\r\n")
	c.ExpectString(">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n_\r\n+PONG\r\n" +
		">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$4\r\nself\r\n:1\r\n" +
		">3\r\n$11\r\nunsubscribe\r\n$2\r\nc9\r\n:1\r\n>3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:0\r\n" +
		">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n")
}

// TestPubSubSubscriberCrash ensures the broker forgets a subscriber whose
// behavior crashed (restarted, then closed: its subscriptions are gone) and
// one whose socket vanished, and that publishing goes on.
func TestPubSubSubscriberCrash(t *testing.T) {
	srv := startResp(t, func(cfg *actors.Config) { cfg.Observe = true })
	pub := client(t, srv, 3)
	restarted, vanished := srv.Dial(t), srv.Dial(t)
	for _, c := range []*testkit.Client{restarted, vanished} {
		c.SendString("SUBSCRIBE ch\r\n")
		c.ReadLine()
		c.ReadLine()
		c.ReadLine()
		c.ReadLine()
		c.ReadLine()
		c.ReadLine()
	}
	waitNumSub(t, pub, "ch", 2)
	if d := restarted.Inject("Internal"); d.Directive != "Restart" {
		t.Fatalf("injected Internal: %s", d.Directive)
	}
	waitNumSub(t, pub, "ch", 1)
	vanished.Conn.Close()
	waitNumSub(t, pub, "ch", 0)
	if n, err := pub.Publish(context.Background(), "ch", "anyone?").Result(); n != 0 || err != nil {
		t.Fatalf("PUBLISH after the subscribers went = %d, %v", n, err)
	}
	restarted.ExpectClosed() // its state gone with the restart: closed, not left out of step (session.Started)
}

// TestPubSubSubscriberNotReading ensures a subscriber that never reads is
// closed by the output limit, and that its publisher is never held up.
func TestPubSubSubscriberNotReading(t *testing.T) {
	srv := startResp(t, func(cfg *actors.Config) {
		cfg.Observe = true
		cfg.OutputLimit = 256 << 10
		cfg.OutputSoftLimit = 128 << 10
	})
	pub := client(t, srv, 2)
	sub := srv.Dial(t)
	sub.SendString("SUBSCRIBE firehose\r\n")
	waitNumSub(t, pub, "firehose", 1)
	payload := strings.Repeat("x", 32<<10)
	ctx := context.Background()
	for i := 0; ; i++ {
		start := time.Now()
		n, err := pub.Publish(ctx, "firehose", payload).Result()
		if err != nil {
			t.Fatalf("PUBLISH %d: %v", i, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("PUBLISH %d took %v: the publisher was held up", i, d)
		}
		if n == 0 {
			break // the subscriber is gone
		}
		if i > 100000 {
			t.Fatal("a subscriber that never reads is still subscribed after 3 GB")
		}
	}
	if e := sub.WaitStopped(); e.Reason != "output limit" {
		t.Fatalf("the subscriber stopped for %q; want output limit", e.Reason)
	}
	if err := pub.Ping(ctx).Err(); err != nil {
		t.Fatalf("the publisher after: %v", err)
	}
}

// TestPubSubBrokerCrash ensures a crash of the broker service is a
// supervision decision, not an outage: the restarted broker still knows
// every subscription (they live in the Broker, outside the instance), and
// forgets a subscriber that leaves afterwards.
func TestPubSubBrokerCrash(t *testing.T) {
	srv := startResp(t, func(cfg *actors.Config) { cfg.Observe = true })
	pub := client(t, srv, 2)
	sub := srv.Dial(t)
	sub.SendString("SUBSCRIBE ch\r\n")
	sub.ExpectString("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	waitNumSub(t, pub, "ch", 1)
	if _, err := srv.Inject(brokerService, actors.Fault{Category: "Internal"}); err != nil {
		t.Fatalf("injecting into the broker: %v", err)
	}
	if d := srv.WaitDecision(testkit.IsDecision("", "Internal")); d.Directive != "Restart" {
		t.Fatalf("the broker's failure: %s; want Restart", d.Directive)
	}
	if n, err := pub.Publish(context.Background(), "ch", "still here").Result(); n != 1 || err != nil {
		t.Fatalf("PUBLISH after the broker restarted = %d, %v; want 1", n, err)
	}
	sub.ExpectString("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$10\r\nstill here\r\n")
	sub.Conn.Close()
	waitNumSub(t, pub, "ch", 0) // still watched: its end is seen
}

// brokerService is the broker's service name (root/services/pubsub).
const brokerService = "pubsub"

// TestPubSubReplyOffPushes ensures CLIENT REPLY OFF and SKIP do not swallow
// pub/sub's pushes, as Redis 7.0 writes them whatever CLIENT REPLY says
// (CLIENT_PUSHING): a subscriber with replies off still gets its messages
// and its (un)subscribe confirmations, in RESP3 and RESP2, and a message
// that comes after a skipped reply is written. Both were dropped.
func TestPubSubReplyOffPushes(t *testing.T) {
	srv := startResp(t)
	pub := srv.Dial(t)
	publish := func(channel, msg string) {
		t.Helper()
		pub.SendString("PUBLISH " + channel + " " + msg + "\r\n")
		pub.ExpectString(":1\r\n") // the broker has sent it to the subscriber
	}
	sub := srv.Dial(t)
	sub.SendString("CLIENT REPLY SKIP\r\nHELLO 3\r\nSUBSCRIBE x\r\n")
	sub.ExpectString(">3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n")
	sub.SendString("CLIENT REPLY OFF\r\nSUBSCRIBE y\r\nPING\r\n")
	sub.ExpectString(">3\r\n$9\r\nsubscribe\r\n$1\r\ny\r\n:2\r\n")
	publish("x", "off")
	sub.ExpectString(">3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$3\r\noff\r\n")
	sub.SendString("CLIENT REPLY ON\r\nCLIENT REPLY SKIP\r\nPING\r\n") // the read ends on a skipped reply
	sub.ExpectString("+OK\r\n")
	publish("x", "skipped")
	sub.ExpectString(">3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$7\r\nskipped\r\n")
	sub.SendString("CLIENT REPLY SKIP\r\nSUBSCRIBE z\r\nPING\r\n")
	sub.ExpectString(">3\r\n$9\r\nsubscribe\r\n$1\r\nz\r\n:3\r\n+PONG\r\n")

	resp2 := srv.Dial(t)
	resp2.SendString("CLIENT REPLY OFF\r\nSUBSCRIBE w\r\nPING\r\n")
	resp2.ExpectString("*3\r\n$9\r\nsubscribe\r\n$1\r\nw\r\n:1\r\n")
	publish("w", "two")
	resp2.ExpectString("*3\r\n$7\r\nmessage\r\n$1\r\nw\r\n$3\r\ntwo\r\n")
	resp2.SendString("UNSUBSCRIBE\r\nCLIENT REPLY ON\r\n")
	resp2.ExpectString("*3\r\n$11\r\nunsubscribe\r\n$1\r\nw\r\n:0\r\n+OK\r\n")
}

// TestPubSubBrokerStopped ensures a broker stopped for good (it failed more
// often than its restart budget allows) is told, not hidden: its
// subscribers, RESP2 and RESP3, are closed (they would wait for messages
// for ever), a connection that was subscribed and is no longer stays open,
// and (P|S)SUBSCRIBE answers the error PUBLISH answers, on a new connection
// too; so a go-redis subscriber, which reconnects and subscribes again, gets
// that error. SUBSCRIBE answered success.
func TestPubSubBrokerStopped(t *testing.T) {
	srv := startResp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pub := client(t, srv, 2)
	sub2, sub3, left := srv.Dial(t), srv.Dial(t), srv.Dial(t)
	sub2.SendString("SUBSCRIBE ch\r\n")
	sub2.ExpectString("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	sub3.SendString("CLIENT REPLY SKIP\r\nHELLO 3\r\nPSUBSCRIBE c*\r\n")
	sub3.ExpectString(">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:1\r\n")
	left.SendString("SUBSCRIBE ch\r\nUNSUBSCRIBE\r\n")
	left.ExpectString("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n")
	waitNumSub(t, pub, "ch", 1)
	goSub := pub.Subscribe(ctx, "gch")
	if _, err := goSub.Receive(ctx); err != nil {
		t.Fatalf("go-redis SUBSCRIBE: %v", err)
	}
	for i := range 4 { // the budget: 3 restarts in 10 s; the fourth failure stops it
		ev, err := srv.Inject(brokerService, actors.Fault{Category: "Internal"})
		if err != nil {
			t.Fatalf("injecting into the broker: %v", err)
		}
		d := srv.WaitEvent("the decision about the broker", func(e testkit.Event) bool {
			return e.Seq > ev.Seq && e.Kind == observatory.Decision && e.Actor == brokerService
		})
		if want := map[bool]string{true: "Stop", false: "Restart"}[i == 3]; d.Directive != want {
			t.Fatalf("decision %d about the broker: %s; want %s", i+1, d.Directive, want)
		}
	}
	sub2.ExpectClosed()
	sub3.ExpectClosed()
	gone := "-ERR the key space (or pub/sub broker) has stopped: it failed too often; see the server log\r\n"
	left.SendString("PING\r\n")
	left.ExpectString("+PONG\r\n")
	for _, c := range []*testkit.Client{left, srv.Dial(t)} { // it knows the broker, and it does not
		c.SendString("SUBSCRIBE x\r\nPSUBSCRIBE x*\r\nSSUBSCRIBE s\r\nPUBLISH x m\r\nGET k\r\n")
		c.ExpectString(gone + gone + gone + gone + "$-1\r\n")
	}
	// go-redis reports the lost connection (EOF), reconnects, subscribes
	// again, and reports that SUBSCRIBE's answer.
	_, err := goSub.Receive(ctx)
	if err != nil && !strings.Contains(err.Error(), "has stopped") {
		_, err = goSub.Receive(ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "pub/sub broker) has stopped") {
		t.Errorf("go-redis subscriber after the broker stopped: %v; want the error naming it", err)
	}
}
