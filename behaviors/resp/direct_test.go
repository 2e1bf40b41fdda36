package resp_test

import (
	"regexp"
	"strconv"
	"testing"

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
