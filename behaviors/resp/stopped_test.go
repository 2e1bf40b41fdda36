package resp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/testkit"
)

// TestKeySpaceStoppedAnswers ensures a key space stopped for good (it
// failed more often than its restart budget allows) is an error reply, not
// silence: a BLPOP parked in it when it stops, and every later key-space
// command, are answered with an error at once, and the connection goes on
// (PING). They once waited for the idle timeout.
func TestKeySpaceStoppedAnswers(t *testing.T) {
	srv := startResp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	blocked, rdb := client(t, srv, 2), client(t, srv, 3)
	raw := srv.Dial(t) // watches the key space before it stops
	raw.SendString("GET k\r\n")
	raw.ExpectString("$-1\r\n")
	popped := make(chan error, 1)
	go func() { popped <- blocked.BLPop(ctx, 0, "q").Err() }()
	waitBlocked(t, rdb, 1)
	for range 3 { // the budget: 3 restarts in 10 s
		if d := injectKeySpace(t, srv); d.Directive != "Restart" {
			t.Fatalf("decision about the key space: %s; want Restart", d.Directive)
		}
	}
	if lost := srv.LostServices(); len(lost) != 0 {
		t.Fatalf("LostServices after 3 restarts = %q; want none", lost)
	}
	if d := injectKeySpace(t, srv); d.Directive != "Stop" {
		t.Fatalf("fourth decision about the key space: %s; want Stop", d.Directive)
	}
	if lost := srv.LostServices(); len(lost) != 1 || lost[0] != "keyspace" {
		t.Errorf("LostServices after the Stop = %q; want [keyspace] (the admin endpoint's /readyz says 503 then)", lost)
	}
	select {
	case err := <-popped:
		if err == nil || !strings.Contains(err.Error(), "key space") {
			t.Errorf("BLPOP parked when the key space stopped: %v; want an error naming the key space", err)
		}
	case <-ctx.Done():
		t.Fatal("BLPOP parked when the key space stopped: no answer in 10 s")
	}
	for _, c := range []string{"get", "set"} {
		var err error
		if c == "get" {
			err = rdb.Get(ctx, "k").Err()
		} else {
			err = rdb.Set(ctx, "k", "v", 0).Err()
		}
		if err == nil || !strings.Contains(err.Error(), "key space") {
			t.Errorf("%s after the key space stopped: %v; want an error naming the key space", c, err)
		}
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Errorf("PING after the key space stopped: %v; want PONG", err)
	}
	// EXEC's whole reply is the one error: PING's reply comes next.
	gone := "-ERR the key space (or pub/sub broker) has stopped: it failed too often; see the server log\r\n"
	for _, c := range []*testkit.Client{raw, srv.Dial(t)} { // watching it, and new
		c.SendString("MULTI\r\nINCR n\r\nPING\r\nEXEC\r\nPING\r\n")
		c.ExpectString("+OK\r\n+QUEUED\r\n+QUEUED\r\n" + gone + "+PONG\r\n")
	}
}

// TestKeySpaceStoppedDrains ensures requests the stopped key space lost (a
// BLPOP parked in it when it stopped; GETs a connection sent it after, before
// hearing it had stopped) owe their connections nothing: the shutdown drains
// both gracefully, with their clients still connected. They once waited for
// replies that never come, until the shutdown timeout passed (the report
// said abandoned=2, after 30 s).
func TestKeySpaceStoppedDrains(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.ShutdownTimeout = 30 * time.Second })
	parked, later := srv.Dial(t), srv.Dial(t)
	parked.SendString("BLPOP q 0\r\n")
	waitBlocked(t, client(t, srv, 2), 1)
	for range 3 {
		injectKeySpace(t, srv)
	}
	if lost := srv.LostServices(); len(lost) != 0 {
		t.Fatalf("LostServices after 3 restarts = %q; want none", lost)
	}
	if d := injectKeySpace(t, srv); d.Directive != "Stop" {
		t.Fatalf("fourth decision about the key space: %s; want Stop", d.Directive)
	}
	if lost := srv.LostServices(); len(lost) != 1 || lost[0] != "keyspace" {
		t.Errorf("LostServices after the Stop = %q; want [keyspace] (the admin endpoint's /readyz says 503 then)", lost)
	}
	gone := "-ERR the key space (or pub/sub broker) has stopped: it failed too often; see the server log\r\n"
	parked.ExpectString(gone)
	// Each GET is a request of its own (the PINGs between are answered
	// locally), sent before the connection hears the key space has stopped.
	const pairs = 16
	later.SendString(strings.Repeat("GET k\r\nPING\r\n", pairs))
	later.ExpectString(strings.Repeat(gone+"+PONG\r\n", pairs))
	later.SendString("PING\r\n")
	later.ExpectString("+PONG\r\n")
	srv.Close() // with the clients still connected: each is told to finish
	if r := srv.WaitLog("shutdown report"); !strings.Contains(r, " forced=0 ") || !strings.Contains(r, "abandoned=0 ") {
		t.Errorf("%s; want forced=0 abandoned=0", r)
	}
}

// TestDebugSleepBounded ensures DEBUG SLEEP, which blocks the whole key
// space, cannot hold it past maxDebugSleep: a longer, infinite or NaN
// duration is refused at once.
func TestDebugSleepBounded(t *testing.T) {
	srv := startResp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rdb := client(t, srv, 2)
	for _, d := range []string{"11", "1e300", "inf", "nan"} {
		if err := rdb.Do(ctx, "debug", "sleep", d).Err(); err == nil {
			t.Errorf("DEBUG SLEEP %s: OK; want an error", d)
		}
	}
	if err := rdb.Do(ctx, "debug", "sleep", "0").Err(); err != nil {
		t.Errorf("DEBUG SLEEP 0: %v; want OK", err)
	}
}
