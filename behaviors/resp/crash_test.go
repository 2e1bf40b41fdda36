package resp_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"async_server/actors"
	"async_server/observatory"
	"async_server/testkit"
)

// injectKeySpace injects an Internal failure into the key space and waits
// for the services supervisor's decision about it.
func injectKeySpace(t *testing.T, srv *testkit.Server) testkit.Event {
	t.Helper()
	ev, err := srv.Inject("keyspace", actors.Fault{Category: "Internal"})
	if err != nil {
		t.Fatalf("injecting into the key space: %v", err)
	}
	return srv.WaitEvent("the decision about the key space", func(e testkit.Event) bool {
		return e.Seq > ev.Seq && e.Kind == observatory.Decision && e.Actor == "keyspace"
	})
}

// TestKeySpaceCrash ensures that faults injected into the key space while
// go-redis clients write lose nothing: every write acknowledged is read
// back, no client sees an error (the failing message is the fault, and
// queued requests survive the restart), and a client blocked in BLPOP
// across the restarts is still served (its parked request is in the store).
func TestKeySpaceCrash(t *testing.T) {
	srv := startResp(t)
	ctx := context.Background()
	blocked := client(t, srv, 3)
	popped := make(chan []string, 1)
	go func() { v, _ := blocked.BLPop(ctx, 0, "q").Result(); popped <- v }()
	waitBlocked(t, client(t, srv, 2), 1)
	const writers = 4
	var mu sync.Mutex
	acked := map[string]string{}
	var failures []error
	progress := make(chan struct{}, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		rdb := client(t, srv, 2+w%2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key, val := fmt.Sprintf("w%d-%d", w, i), strconv.Itoa(i)
				err := rdb.Set(ctx, key, val, 0).Err()
				mu.Lock()
				if err == nil {
					acked[key] = val
					select {
					case progress <- struct{}{}:
					default:
					}
				} else {
					failures = append(failures, err)
				}
				mu.Unlock()
			}
		}()
	}
	for range 3 { // the services supervisor's restart budget is 3 in 10 s
		for range 100 { // writes go on between the faults
			<-progress
		}
		if d := injectKeySpace(t, srv); d.Directive != "Restart" {
			t.Fatalf("decision about the key space: %s; want Restart", d.Directive)
		}
	}
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d writes failed across the key-space restarts; the first: %v", len(failures), failures[0])
	}
	reader := client(t, srv, 3)
	for key, val := range acked {
		if got, err := reader.Get(ctx, key).Result(); got != val || err != nil {
			t.Fatalf("GET %s = %q, %v after the restarts; acknowledged %q", key, got, err, val)
		}
	}
	if err := reader.LPush(ctx, "q", "x").Err(); err != nil {
		t.Fatalf("LPUSH: %v", err)
	}
	if v := <-popped; len(v) != 2 || v[1] != "x" {
		t.Fatalf("BLPOP parked before the restarts got %v; want [q x]", v)
	}
	t.Logf("%d writes acknowledged and read back across 3 key-space restarts", len(acked))
}

// TestKeySpaceCommandPanics ensures a command that panics in the key space
// is answered with an error (and the commands after it in its pipeline),
// the key space is restarted, and the data and the connection go on.
func TestKeySpaceCommandPanics(t *testing.T) {
	srv := startResp(t)
	c := srv.Dial(t)
	sendPanicking(t, srv, c, "SET a 1")
	c.SendString("GET a\r\n")
	c.ExpectString("$1\r\n1\r\n")
}

// sendPanicking sends c's pipeline of set (a SET), TEST.PANIC and GET a,
// and expects the SET's +OK, the panic's error, GET's "not run", and the
// key space's supervisor to restart it.
func sendPanicking(t *testing.T, srv *testkit.Server, c *testkit.Client, set string) {
	t.Helper()
	c.SendString(set + "\r\nTEST.PANIC\r\nGET a\r\n")
	c.ExpectString("+OK\r\n-ERR internal error in the key space running 'test.panic'; it restarted\r\n" +
		"-ERR not run: the key space failed on an earlier command of this pipeline\r\n")
	d := srv.WaitDecision(testkit.IsDecision("keyspace", "Internal"))
	if d.Directive != "Restart" {
		t.Fatalf("decision about the key space: %s; want Restart", d.Directive)
	}
}

// TestConnectionCrashReleases ensures a connection whose behavior fails (an
// injected Internal: Restart) is closed, its state gone with the failed
// behavior, rather than left running with replies out of step (a parked BLPOP
// never answered, a SELECT or RESP3 silently undone; before, it went on so),
// and leaves nothing with the services: its parked BLPOP takes no element
// pushed after, its subscription gets no message.
func TestConnectionCrashReleases(t *testing.T) {
	srv := startResp(t)
	sub, blocked, b := srv.Dial(t), srv.Dial(t), srv.Dial(t)
	sub.SendString("SELECT 5\r\nSUBSCRIBE ch\r\n")
	sub.ExpectString("+OK\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	blocked.SendString("BLPOP q 0\r\n")
	probe := client(t, srv, 2)
	waitBlocked(t, probe, 1)
	for _, c := range []*testkit.Client{sub, blocked} {
		if d := c.Inject("Internal"); d.Directive != "Restart" {
			t.Fatalf("decision: %s; want Restart", d.Directive)
		}
		c.ExpectClosed()
	}
	waitBlocked(t, probe, 0) // the fresh behavior's clientReset reached the key space
	b.SendString("PUBLISH ch m\r\nRPUSH q x\r\nLLEN q\r\n")
	b.ExpectString(":0\r\n:1\r\n:1\r\n") // the failed behavior's BLPOP did not take it
}
