package resp_test

import (
	"async_server/actors"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"async_server/testkit"
)

// This file tests the replies of one batch made and written in chunks
// (keyspace_run.go's maxChunk): what a pipeline makes the server hold is
// about a chunk plus one command's reply, whatever it asks for, and the
// client gets the same replies in the same order.

// waitUntil polls cond until it holds, failing the test after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not in 10 s", what)
		}
		time.Sleep(time.Millisecond) // polling a condition, not guessing a delay
	}
}

// intOf runs a command answered by an integer (TEST.PAUSED, TEST.CLIENTS).
func intOf(t *testing.T, rdb *redis.Client, cmd string) int64 {
	t.Helper()
	n, err := rdb.Do(context.Background(), cmd).Int64()
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return n
}

// getCalls is INFO commandstats' count of GET.
func getCalls(t *testing.T, rdb *redis.Client) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	_, rest, ok := strings.Cut(info, "cmdstat_get:calls=")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
	return n
}

// dialRaw connects to srv with a plain socket (the test reads it itself).
func dialRaw(t *testing.T, srv *testkit.Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectReplies reads from r exactly what each of want says, in order.
func expectReplies(t *testing.T, r io.Reader, want ...string) {
	t.Helper()
	buf := make([]byte, 1<<20+64)
	for i, w := range want {
		b := buf[:len(w)]
		if _, err := io.ReadFull(r, b); err != nil {
			t.Fatalf("reply %d of %d: %v", i+1, len(want), err)
		}
		if string(b) != w {
			t.Fatalf("reply %d of %d: %.80q; want %.80q", i+1, len(want), b, w)
		}
	}
}

// onPath prepares srv so that a connection's batches go by message (a
// client parked on another key keeps every request a message, direct.go)
// or directly (the connection's first request answered by message), and
// returns a check that the batches sent since took that path.
func onPath(t *testing.T, srv *testkit.Server, path string, c net.Conn) func() {
	t.Helper()
	batches := withBatches(t, srv)
	if path == "message" {
		blocker := srv.Dial(t)
		blocker.SendString("BLPOP parked 0\r\n")
		waitBlocked(t, client(t, srv, 2), 1)
	} else {
		expectWrite(t, c, "GET nothing\r\n")
		expectReplies(t, c, "$-1\r\n")
	}
	_, d0 := batches()
	return func() {
		t.Helper()
		if _, d := batches(); path == "message" && d != d0 || path == "direct" && d == d0 {
			t.Skipf("the batch did not take the %s path (%d direct batches, %d before): the key space was busy", path, d, d0)
		}
	}
}

// expectWrite writes s to c.
func expectWrite(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

// setValue stores a value of n bytes at key, and returns it.
func setValue(t *testing.T, srv *testkit.Server, key string, n int) string {
	t.Helper()
	v := strings.Repeat("v", n-1) + "!"
	if err := client(t, srv, 2).Set(context.Background(), key, v, 0).Err(); err != nil {
		t.Fatal(err)
	}
	return v
}

// heapPeak samples the heap in use (HeapInuse) until stopped (at the
// latest when the test ends), and returns its peak. Sampling is the
// measure, not a wait.
func heapPeak(t *testing.T) (stop func() int64) {
	done, peak := make(chan struct{}), make(chan int64, 1)
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-done:
				peak <- int64(top)
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	var top int64
	stop = func() int64 {
		once.Do(func() { close(done); top = <-peak })
		return top
	}
	t.Cleanup(func() { stop() })
	return stop
}

// TestPipelinedBigRepliesBounded ensures one small write of 200 GETs of a
// 1 MiB value, from a client that reads nothing, makes the server hold
// about a chunk, not the 200 replies (the heap in use stays under 64 MiB
// over what it was before; with 2000 GETs it was 2 GB, built before a byte
// was written; fewer keep the test quick under -race),
// on either path into the key space; that the rest waits in the key space
// (TEST.PAUSED), which another connection's commands run beside; and that
// the client then reads all 2000 replies, byte for byte, in order.
func TestPipelinedBigRepliesBounded(t *testing.T) {
	for _, path := range []string{"message", "direct"} {
		t.Run(path, func(t *testing.T) {
			srv := startResp(t)
			// A long read timeout: where the key space built every reply
			// first, the probe's INFO waited for it, and the heap check
			// below then says what it held.
			probe := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, ReadTimeout: 60 * time.Second})
			t.Cleanup(func() { probe.Close() })
			v := setValue(t, srv, "bv", 1<<20)
			c := dialRaw(t, srv)
			checkPath := onPath(t, srv, path, c)
			const n = 200
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			base := int64(m.HeapInuse)
			peak := heapPeak(t)
			expectWrite(t, c, strings.Repeat("GET bv\r\n", n)) // 1 600 bytes, one write
			waitUntil(t, "three GETs run", func() bool { return getCalls(t, probe) >= 3 })
			held := peak() - base
			t.Logf("heap in use, at its peak while the client read nothing: %d MiB over the %d MiB before", held>>20, base>>20)
			if held > 64<<20 {
				t.Fatalf("the heap in use rose by %d MiB while the client read nothing; want under 64 MiB", held>>20)
			}
			if p := intOf(t, probe, "test.paused"); p != 1 {
				t.Fatalf("TEST.PAUSED = %d while the client reads nothing; want 1", p)
			}
			if got, err := probe.Incr(context.Background(), "between").Result(); err != nil || got != 1 {
				t.Fatalf("another connection's INCR between chunks: %d, %v", got, err)
			}
			peak = heapPeak(t)
			want := bulk(v)
			r := bufio.NewReaderSize(c, 64<<10)
			buf := make([]byte, len(want))
			for i := range n {
				if _, err := io.ReadFull(r, buf); err != nil {
					t.Fatalf("reply %d of %d: %v", i+1, n, err)
				}
				if string(buf) != want {
					t.Fatalf("reply %d of %d: %.40q...; want the value", i+1, n, buf)
				}
			}
			// While it reads, each chunk's buffer is garbage once written,
			// and the collector's pace adds to what is in use: the bound is
			// looser, though still far under what the replies make.
			held = peak() - base
			t.Logf("heap in use, at its peak while the client read: %d MiB over", held>>20)
			if held > 128<<20 {
				t.Fatalf("the heap in use rose by %d MiB while the client read; want under 128 MiB", held>>20)
			}
			expectWrite(t, c, "PING\r\n")
			expectReplies(t, r, "+PONG\r\n")
			if p := intOf(t, probe, "test.paused"); p != 0 {
				t.Fatalf("TEST.PAUSED = %d once all is read; want 0", p)
			}
			checkPath()
		})
	}
}

// mixedPipeline is one write of GETs of v (300 KiB: a chunk boundary
// after every fourth) with the connection's own commands among them (PING,
// CLIENT REPLY SKIP, SELECT, ECHO) before, at and after the boundaries, and
// the replies it gets, as redis-server gives them
// (TestDifferentialChunkedPipeline).
func mixedPipeline(v string) (string, []string) {
	get := bulk(v)
	var in strings.Builder
	var want []string
	add := func(cmd string, reply ...string) {
		in.WriteString(cmd + "\r\n")
		want = append(want, reply...)
	}
	for round := range 3 {
		add("GET bv", get)
		add("GET bv", get)
		add("PING", "+PONG\r\n")
		add("GET bv", get)
		add("GET bv", get) // past 1 MiB: a boundary after it
		add("ECHO e"+strconv.Itoa(round), bulk("e"+strconv.Itoa(round)))
		add("CLIENT REPLY SKIP")
		add("GET bv") // skipped, at the start of a chunk
		add("SELECT 1", "+OK\r\n")
		add("SET k x"+strconv.Itoa(round), "+OK\r\n")
		add("GET bv", "$-1\r\n")
		add("GET k", bulk("x"+strconv.Itoa(round)))
		add("SELECT 0", "+OK\r\n")
		add("CLIENT REPLY SKIP")
		add("PING") // skipped
		add("GET bv", get)
		add("GET k", "$-1\r\n")
	}
	add("DBSIZE", ":1\r\n")
	return in.String(), want
}

// TestChunkedPipelineMixed ensures a pipeline whose replies cross chunk
// boundaries, with the connection's own commands among them, gets every
// reply, in order, on either path (mixedPipeline).
func TestChunkedPipelineMixed(t *testing.T) {
	for _, path := range []string{"message", "direct"} {
		t.Run(path, func(t *testing.T) {
			srv := startResp(t)
			v := setValue(t, srv, "bv", 300<<10)
			c := dialRaw(t, srv)
			checkPath := onPath(t, srv, path, c)
			in, want := mixedPipeline(v)
			expectWrite(t, c, in)
			expectReplies(t, c, want...)
			checkPath()
		})
	}
}

// TestDifferentialChunkedPipeline ensures redis-server gives mixedPipeline's
// replies, the ones TestChunkedPipelineMixed expects of this server.
func TestDifferentialChunkedPipeline(t *testing.T) {
	addr := startRedisServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer rdb.Close()
	v := strings.Repeat("v", 300<<10-1) + "!"
	if err := rdb.Set(context.Background(), "bv", v, 0).Err(); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	in, want := mixedPipeline(v)
	expectWrite(t, c, in)
	expectReplies(t, c, want...)
}

// TestChunkedThenBlocked ensures a BLPOP after a chunk boundary in its
// pipeline parks, is served by another connection's push, and the replies
// after it follow.
func TestChunkedThenBlocked(t *testing.T) {
	srv := startResp(t)
	v := setValue(t, srv, "bv", 300<<10)
	c := dialRaw(t, srv)
	expectWrite(t, c, strings.Repeat("GET bv\r\n", 8)+"BLPOP q 0\r\nPING\r\nGET bv\r\n")
	probe := client(t, srv, 2)
	waitBlocked(t, probe, 1)
	if err := probe.RPush(context.Background(), "q", "x").Err(); err != nil {
		t.Fatal(err)
	}
	want := make([]string, 8, 11)
	for i := range want {
		want[i] = bulk(v)
	}
	expectReplies(t, c, append(want, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", "+PONG\r\n", bulk(v))...)
}

// pauseBig has a fresh connection send n GETs of a 1 MiB value, read
// nothing, and waits until the key space holds the rest paused; a paused
// request is not a blocked client.
func pauseBig(t *testing.T, srv *testkit.Server, probe *redis.Client, n int) (*testkit.Client, string) {
	t.Helper()
	v := setValue(t, srv, "bv", 1<<20)
	blocked := func() string {
		_, rest, _ := strings.Cut(probe.Info(context.Background(), "clients").Val(), "blocked_clients:")
		return rest[:strings.IndexByte(rest, '\r')]
	}
	before := blocked()
	c := srv.Dial(t)
	expectWrite(t, c.Conn, strings.Repeat("GET bv\r\n", n))
	waitUntil(t, "a request paused", func() bool { return intOf(t, probe, "test.paused") == 1 })
	if now := blocked(); now != before {
		t.Fatalf("blocked_clients:%s with a request paused; want %s, as before", now, before)
	}
	return c, v
}

// TestChunkedForgotten ensures a connection whose request is paused leaves
// nothing of it in the key space when it closes, when CLIENT KILL kills it
// (before the kill's answer), and when its behavior fails and restarts.
func TestChunkedForgotten(t *testing.T) {
	for _, how := range []string{"close", "kill", "restart"} {
		t.Run(how, func(t *testing.T) {
			srv := startResp(t)
			probe := client(t, srv, 2)
			if how == "restart" {
				// Every chunk a message, so that the behavior handles the
				// fault between two (on the direct path it runs them all
				// in one go once the client reads).
				onPath(t, srv, "message", nil)
			}
			c, _ := pauseBig(t, srv, probe, 100)
			known := intOf(t, probe, "test.clients") // the probe, SET's client, c (and the blocker)
			switch how {
			case "close":
				c.Conn.Close()
			case "kill":
				if err := probe.ClientKillByFilter(context.Background(), "ADDR", c.Conn.LocalAddr().String()).Err(); err != nil {
					t.Fatal(err)
				}
				if p := intOf(t, probe, "test.paused"); p != 0 {
					t.Fatalf("TEST.PAUSED = %d once CLIENT KILL answered; want 0", p)
				}
				// The killed connection closes once the write it may be
				// blocked in is read (else at -write-timeout).
				go func() { _, _ = io.Copy(io.Discard, c.Conn) }()
			case "restart":
				// The behavior fails at its next message: once the write it
				// is blocked in is read.
				go func() { _, _ = io.Copy(io.Discard, c.Conn) }()
				if d := c.Inject("Internal"); d.Directive != "Restart" {
					t.Fatalf("decision: %s; want Restart", d.Directive)
				}
				waitUntil(t, "the fresh behavior's clientReset", func() bool { return intOf(t, probe, "test.paused") == 0 })
				if calls := getCalls(t, probe); calls >= 500 {
					t.Fatalf("GET ran %d times: the batch ended before the fault; want the rest forgotten", calls)
				}
				c.Conn.Close()
			}
			waitUntil(t, "the key space forgets the connection", func() bool {
				return intOf(t, probe, "test.clients") == known-1 && intOf(t, probe, "test.paused") == 0
			})
		})
	}
}

// TestChunkedKeySpaceFault ensures a key-space failure (injected, Restart)
// while a request is paused loses nothing: its rest is in the Store, the
// fresh instance runs it when asked by message (or the connection on the
// direct path), and the client reads every reply.
func TestChunkedKeySpaceFault(t *testing.T) {
	for _, path := range []string{"message", "direct"} {
		t.Run(path, func(t *testing.T) {
			srv := startResp(t)
			probe := client(t, srv, 2)
			if path == "message" {
				onPath(t, srv, "message", nil) // the rest is asked of the fresh instance by message
			}
			const n = 100 // over what the kernel takes of a client that does not read (36 MiB here)
			c, v := pauseBig(t, srv, probe, n)
			if d := injectKeySpace(t, srv); d.Directive != "Restart" {
				t.Fatalf("decision about the key space: %s; want Restart", d.Directive)
			}
			if p := intOf(t, probe, "test.paused"); p != 1 {
				t.Fatalf("TEST.PAUSED = %d after the restart; want 1", p)
			}
			want := make([]string, n)
			for i := range want {
				want[i] = bulk(v)
			}
			r := bufio.NewReaderSize(c.Conn, 64<<10)
			expectReplies(t, r, want...)
			expectWrite(t, c.Conn, "PING\r\n")
			expectReplies(t, r, "+PONG\r\n")
		})
	}
}

// TestBigFirstReplyDelivered ensures LRANGE of a 400 000-element list as
// a connection's first command (a message to the key space) is delivered
// whole, as Redis does: one command's reply (7.6 MB) passes -output-limit
// (4 MiB here; 32 MiB by default, which a 2-million-element list's passed)
// without closing the connection (it was reset).
func TestBigFirstReplyDelivered(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.OutputLimit, c.OutputSoftLimit = 4<<20, 0 })
	ctx := context.Background()
	rdb := client(t, srv, 2)
	const n, per = 400_000, 10_000
	elem := func(i int) string { return fmt.Sprintf("elem%08d", i) } // 12 bytes: 19 a reply
	for i := 0; i < n; i += per {
		args := make([]any, per)
		for j := range args {
			args[j] = elem(i + j)
		}
		if err := rdb.RPush(ctx, "big", args...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c := dialRaw(t, srv)
	expectWrite(t, c, "LRANGE big 0 -1\r\n")
	r := bufio.NewReaderSize(c, 64<<10)
	expectReplies(t, r, "*"+strconv.Itoa(n)+"\r\n")
	line := make([]byte, 19)
	for i := range n {
		if _, err := io.ReadFull(r, line); err != nil {
			t.Fatalf("element %d of %d: %v", i, n, err)
		}
		if !bytes.Equal(line, []byte(bulk(elem(i)))) {
			t.Fatalf("element %d: %q; want %q", i, line, bulk(elem(i)))
		}
	}
	expectWrite(t, c, "PING\r\n")
	expectReplies(t, r, "+PONG\r\n")
}

// TestChunkedCommandPanics ensures a command that panics in a later chunk
// of its batch, run by message or on the direct path, is answered as one in
// a whole batch is (its error, "not run" for the rest) after the chunks
// before it, and the key space restarts.
func TestChunkedCommandPanics(t *testing.T) {
	for _, path := range []string{"message", "direct"} {
		t.Run(path, func(t *testing.T) {
			srv := startResp(t)
			v := setValue(t, srv, "bv", 300<<10)
			c := dialRaw(t, srv)
			onPath(t, srv, path, c)
			expectWrite(t, c, strings.Repeat("GET bv\r\n", 4)+"TEST.PANIC\r\nGET bv\r\n")
			expectReplies(t, c, bulk(v), bulk(v), bulk(v), bulk(v),
				"-ERR internal error in the key space running 'test.panic'; it restarted\r\n",
				"-ERR not run: the key space failed on an earlier command of this pipeline\r\n")
			if d := srv.WaitDecision(testkit.IsDecision("keyspace", "Internal")); d.Directive != "Restart" {
				t.Fatalf("decision about the key space: %s; want Restart", d.Directive)
			}
			expectWrite(t, c, "GET bv\r\n")
			expectReplies(t, c, bulk(v))
		})
	}
}
