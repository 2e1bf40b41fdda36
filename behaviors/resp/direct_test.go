package resp_test

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"async_server/testkit"
)

// batchesByPath reads the key space's batches by path from /metrics.
type batchesByPath func() (message, direct int)

// withBatches starts an admin endpoint for srv and returns its reader of
// async_server_resp_keyspace_batches_total.
func withBatches(t *testing.T, srv *testkit.Server) batchesByPath {
	t.Helper()
	a := startAdmin(t, srv)
	line := regexp.MustCompile(`(?m)^async_server_resp_keyspace_batches_total\{path="(\w+)"\} (\d+)$`)
	return func() (message, direct int) {
		t.Helper()
		found := 0
		for _, m := range line.FindAllStringSubmatch(scrape(t, "http://"+a.Addr().String()+"/metrics"), -1) {
			n, _ := strconv.Atoi(m[2])
			switch m[1] {
			case "message":
				message, found = n, found+1
			case "direct":
				direct, found = n, found+1
			}
		}
		if found != 2 {
			t.Fatal("/metrics has not both async_server_resp_keyspace_batches_total series")
		}
		return message, direct
	}
}

// TestDirectPath ensures a connection runs its requests on the key space's
// direct path once the key space has answered it by message, that every
// batch is counted on exactly one path, and that the replies are the
// ones the message path gives: a fresh connection's first request is a
// message, the ones after it (the key space idle) mostly direct.
func TestDirectPath(t *testing.T) {
	srv := startResp(t)
	batches := withBatches(t, srv)
	c := srv.Dial(t)
	c.SendString("SET k 1\r\n")
	c.ExpectString("+OK\r\n")
	if m, d := batches(); m != 1 || d != 0 {
		t.Fatalf("after the first request: %d by message, %d direct; want 1, 0", m, d)
	}
	const n = 20
	for i := 2; i <= n+1; i++ {
		c.SendString("INCR k\r\nGET k\r\n") // one read, one batch
		c.ExpectString(":" + strconv.Itoa(i) + "\r\n$" + strconv.Itoa(len(strconv.Itoa(i))) + "\r\n" + strconv.Itoa(i) + "\r\n")
	}
	m, d := batches()
	if m+d != n+1 {
		t.Fatalf("%d batches by message and %d direct; want %d in all", m, d, n+1)
	}
	if d == 0 {
		t.Fatalf("none of %d requests to an idle key space ran directly", n)
	}
}

// TestDirectPathOffWhileParked ensures nothing runs on the direct path while
// a request is parked (serving it is the key space actor's): the pushes
// that wake it, and every request until it is served, go as messages.
func TestDirectPathOffWhileParked(t *testing.T) {
	srv := startResp(t)
	batches := withBatches(t, srv)
	a, b := srv.Dial(t), srv.Dial(t)
	b.SendString("SET k v\r\n")
	b.ExpectString("+OK\r\n")
	a.SendString("BLPOP q 0\r\n")
	probe := client(t, srv, 2)
	waitBlocked(t, probe, 1)
	m0, d0 := batches()
	for range 5 {
		b.SendString("GET k\r\n")
		b.ExpectString("$1\r\nv\r\n")
	}
	b.SendString("RPUSH q x\r\n")
	b.ExpectString(":1\r\n")
	a.ExpectString("*2\r\n$1\r\nq\r\n$1\r\nx\r\n")
	if m, d := batches(); d != d0 || m < m0+6 {
		t.Fatalf("while BLPOP was parked: %d more by message, %d direct; want at least 6, 0", m-m0, d-d0)
	}
}

// TestDirectPathCommandPanics ensures a command that panics on the direct
// path is answered as in the key space actor (its error, "not run" for the
// rest of its pipeline), fails the key space for its supervisor to decide
// on, and loses no data. (Should the key space be busy at that instant, the
// batch goes as a message; the test then tries again on a fresh server.)
func TestDirectPathCommandPanics(t *testing.T) {
	for attempt := 1; ; attempt++ {
		srv := startResp(t)
		batches := withBatches(t, srv)
		c := srv.Dial(t)
		c.SendString("SET a 1\r\n")
		c.ExpectString("+OK\r\n")
		_, d0 := batches()
		sendPanicking(t, srv, c, "SET b 2")
		c.SendString("MGET a b\r\n")
		c.ExpectString("*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
		if _, d1 := batches(); d1 > d0 {
			return
		}
		if attempt == 3 {
			t.Fatal("the panicking batch never ran on the direct path")
		}
	}
}

// TestDirectPathAtomicWithMessages ensures the two paths into the key space
// exclude each other: clients that INCR one key (alone, pipelined, and in
// MULTI/EXEC, which always goes as a message) while two others keep parking
// and waking a BLPOP (while it is parked every batch goes the message way)
// lose no increment, and both paths ran.
func TestDirectPathAtomicWithMessages(t *testing.T) {
	srv := startResp(t)
	batches := withBatches(t, srv)
	ctx := context.Background()
	const writers, rounds = 6, 150
	errs := make(chan error, writers+1)
	var wg sync.WaitGroup
	want := 0
	for i := range writers {
		for r := range rounds {
			want += 1 + min((i+r)%3, 1) // INCR, or two of them
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- incrRounds(ctx, srv.Addr, i, rounds)
		}()
	}
	done := make(chan struct{})
	go func() { errs <- parkAndWake(ctx, srv.Addr, done) }()
	wg.Wait()
	close(done)
	for range writers + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n, err := client(t, srv, 2).Get(ctx, "n").Int(); err != nil || n != want {
		t.Fatalf("n = %d (%v); want %d", n, err, want)
	}
	if m, d := batches(); m < writers || d == 0 {
		t.Fatalf("%d batches by message, %d direct; want both paths used", m, d)
	}
}

// incrRounds INCRs n rounds times on one connection: alone, two in a
// pipeline, or two in MULTI/EXEC, in turn from i.
func incrRounds(ctx context.Context, addr string, i, rounds int) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, PoolSize: 1})
	defer rdb.Close()
	two := func(p redis.Pipeliner) error {
		p.Incr(ctx, "n")
		p.Incr(ctx, "n")
		return nil
	}
	for r := range rounds {
		var err error
		switch (i + r) % 3 {
		case 0:
			err = rdb.Incr(ctx, "n").Err()
		case 1:
			_, err = rdb.Pipelined(ctx, two)
		case 2:
			_, err = rdb.TxPipelined(ctx, two)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// parkAndWake parks a BLPOP and wakes it with an RPUSH, over and over,
// until done.
func parkAndWake(ctx context.Context, addr string, done <-chan struct{}) error {
	waiter := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, PoolSize: 1})
	pusher := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, PoolSize: 1})
	defer waiter.Close()
	defer pusher.Close()
	for {
		select {
		case <-done:
			return nil
		default:
		}
		popped := make(chan error, 1)
		go func() { popped <- waiter.BLPop(ctx, 0, "q").Err() }()
		if err := pusher.RPush(ctx, "q", "x").Err(); err != nil {
			return err
		}
		if err := <-popped; err != nil {
			return err
		}
	}
}
