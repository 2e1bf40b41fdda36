package resp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/behaviors/resp"
	"async_server/testkit"
)

// TestSubscriptionMemoryRedis measures what redis-server holds per
// subscription (INFO memory's used_memory, before and after) when one
// connection subscribes to 100 000 channels, the first case of
// TestSubscriptionMemory, for the comparison in docs/resp.md:
//
//	RESP_MEM_REDIS=1 go test -run TestSubscriptionMemoryRedis -v ./behaviors/resp/
//
// (With 10 000 connections, each on a channel, the clients' buffers, which
// grow and shrink as they read and write, swamp the subscriptions in
// used_memory, even less mem_clients_normal: no number worth giving.)
func TestSubscriptionMemoryRedis(t *testing.T) {
	if os.Getenv("RESP_MEM_REDIS") == "" {
		t.Skip("set RESP_MEM_REDIS=1 to measure redis-server's pub/sub memory")
	}
	addr := startRedisServer(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	subscribeAll(t, c, nil) // its buffers, before the count
	const n = 100_000
	names := channelNames(n)
	before := redisUsedMemory(t, addr)
	subscribeAll(t, c, names)
	after := redisUsedMemory(t, addr)
	t.Logf("1x100000: redis-server %.0f bytes per subscription", float64(after-before)/n)
}

// TestSubscriptionMemoryServer bounds what the whole server holds (live
// heap after a GC, the process's) per subscription when one connection
// subscribes to 100 000 channels over TCP, one SUBSCRIBE each: the broker's
// index, the connection's own set, the names, and whatever else the
// subscriptions keep. The bound is generous (measured: see docs/resp.md,
// "Pub/sub memory"); it was 377 bytes before the broker's index was made
// small. Not under -race, whose shadow memory is not production's.
func TestSubscriptionMemoryServer(t *testing.T) {
	if resp.RaceEnabled || testing.Short() {
		t.Skip("measures the heap: not under -race or -short")
	}
	srv := testkit.Start(t, "resp")
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	subscribeAll(t, c, nil) // its buffers, before the count
	const n = 100_000
	before := resp.HeapAfterGC()
	subscribeAll(t, c, channelNames(n)) // garbage once sent: not counted
	rc := dialRESP(t, srv.Addr)
	deadline := time.Now().Add(30 * time.Second)
	for !bytes.HasSuffix(rc.roundTrip(t, []string{"PUBSUB", "NUMSUB", channelName(n - 1)}, 1), []byte(":1\r\n")) {
		if time.Now().After(deadline) { // the broker hears of them after the replies
			t.Fatal("the broker did not count the last channel's subscriber in 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := float64(resp.HeapAfterGC()-before) / n
	t.Logf("1x100000: the server holds %.0f bytes per subscription", got)
	if got > 250 {
		t.Errorf("the server holds %.0f bytes per subscription; want at most 250", got)
	}
}

func channelName(i int) string { return "channel:" + strconv.Itoa(i) }

func channelNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = channelName(i)
	}
	return names
}

// subscribeAll sends one SUBSCRIBE per name, then PING, and reads until
// PING's reply ("pong": its first element in subscribed mode, the simple
// string otherwise), reading as it writes so that the server's output
// buffer stays small.
func subscribeAll(t *testing.T, c net.Conn, names []string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	done := make(chan error, 1)
	go func() { // ends at PING's reply or an error; subscribeAll waits for it
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil || line == "pong\r\n" || line == "+PONG\r\n" {
				done <- err
				return
			}
		}
	}()
	w := bufio.NewWriter(c)
	for _, n := range names {
		fmt.Fprintf(w, "*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n", len(n), n)
	}
	w.WriteString("*1\r\n$4\r\nPING\r\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// redisUsedMemory is INFO memory's used_memory.
func redisUsedMemory(t *testing.T, addr string) int64 {
	t.Helper()
	rc := dialRESP(t, addr)
	defer rc.c.Close()
	info := string(rc.roundTrip(t, []string{"INFO", "memory"}, 1))
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Fatalf("no used_memory in %q", info)
	return 0
}
