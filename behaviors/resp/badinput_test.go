package resp_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/actors"
)

// The bad-input list, each lean (bounded counts, a few seconds under
// -race): protocol errors as redis-server answers them, lengths announced
// but never sent, binary data, a pipelining client that reads nothing.
// Clients vanishing with state in the services: vanish_test.go.

// badProtocolCases are malformed inputs beside diff_test.go's: each gets
// redis-server's reply byte for byte, and both close the connection.
var badProtocolCases = []string{
	`*1\r\n$x\r\n`, `*1\r\n$-5\r\n`, `*1\r\n$\r\n`, `*2147483648\r\n`, `*-2\r\nPING\r\n`,
	`*2\r\n$4\r\nECHO\r\n$2147483648\r\n`, `*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\nx\r\n`,
	`*1\r\n$01\r\nx\r\n*1\r\n$+1\r\n`,
	`ECHO "a\r\nECHO 'b'c\r\n`, `ECHO "a"b\r\n`, `ECHO 'a'b\r\n`,
}

// TestBadInputProtocolErrors compares each bad input's reply with redis-server's.
func TestBadInputProtocolErrors(t *testing.T) {
	redisAddr := startRedisServer(t)
	srv := startResp(t)
	t.Logf("async_server on %s, redis-server on %s", srv.Addr, redisAddr)
	for i, in := range badProtocolCases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			input := unescape(in)
			ours, ref := exchange(t, srv.Addr, input), exchange(t, redisAddr, input)
			if !bytes.Equal(ours, ref) {
				t.Errorf("input %.60q:\nasync_server: %q\nredis-server: %q", input, ours, ref)
			}
		})
	}
}

// heapNow is the live heap after a collection.
func heapNow() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestBadInputAnnouncedLengths announces a 2 GB bulk (under a raised
// proto-max-bulk-len) and a 1 M-element multibulk, sends a few KB of each,
// and checks the heap grew with the bytes sent, not the lengths announced;
// each connection still answers once its command is complete or refused.
func TestBadInputAnnouncedLengths(t *testing.T) {
	srv := startResp(t)
	admin := srv.Dial(t)
	admin.SendString("CONFIG SET proto-max-bulk-len 4gb\r\n")
	admin.ExpectString("+OK\r\n")

	before := heapNow()
	big := srv.Dial(t)
	big.SendString("*2\r\n$4\r\nECHO\r\n$2147483648\r\n" + strings.Repeat("x", 8<<10))
	many := srv.Dial(t)
	many.SendString("*1000000\r\n$4\r\nECHO\r\n" + strings.Repeat("$1\r\nx\r\n", 1000))
	admin.SendString("PING\r\n") // both reads were handed over before this one's reply
	admin.ExpectString("+PONG\r\n")
	if grew := heapNow() - before; grew > 4<<20 {
		t.Errorf("heap grew %d bytes after 2 GB and 1 M arguments were announced with ~16 KB sent; want under 4 MiB", grew)
	}
	// The multibulk, ended by a bad header, is answered as Redis does.
	many.SendString("x\r\n")
	many.ExpectString("-ERR Protocol error: expected '$', got 'x'\r\n")
	many.ExpectClosed()
}

// TestBadInputBinary round-trips keys and values holding every byte value,
// CR LF inside, through SET/GET and a list.
func TestBadInputBinary(t *testing.T) {
	srv := startResp(t)
	c := srv.Dial(t)
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	bulk := func(p []byte) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(p), p) }
	var in, want strings.Builder
	for b := 0; b < 256; b++ {
		key := []byte{byte(b), '\r', '\n', byte(b)}
		val := append(append([]byte{}, all[b:]...), "\r\n*1\r\n"...)
		in.WriteString("*3\r\n$3\r\nSET\r\n" + bulk(key) + bulk(val))
		in.WriteString("*2\r\n$3\r\nGET\r\n" + bulk(key))
		in.WriteString("*3\r\n$5\r\nRPUSH\r\n$4\r\n\x00\r\n\xff\r\n" + bulk(val))
		want.WriteString("+OK\r\n" + bulk(val) + fmt.Sprintf(":%d\r\n", b+1))
	}
	in.WriteString("*1\r\n$6\r\nDBSIZE\r\n")
	c.SendString(in.String())
	want.WriteString(":257\r\n")
	c.ExpectString(want.String())
	c.SendString("*4\r\n$6\r\nLRANGE\r\n$4\r\n\x00\r\n\xff\r\n$3\r\n255\r\n$2\r\n-1\r\n")
	c.ExpectString("*1\r\n" + bulk(append(all[255:], "\r\n*1\r\n"...)))
}

// TestBadInputPipelineNoRead pipelines 100 000 GETs of a 1 KiB value (100 MB
// of replies) and reads nothing: what the server holds for that client is
// bounded by the contract's -output-limit (4 MiB here; the key space's
// replies wait in the connection's outbox while its socket write blocks), so
// the heap stays bounded, the server stops working for the hog, and another
// client is served meanwhile. (Each 16 KiB read of GETs is one request whose
// reply is ~2.4 MB, and up to protocol.MaxInFlight of them may be out: with
// the default 32 MiB limit the hog holds up to that much.)
func TestBadInputPipelineNoRead(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.OutputLimit, c.OutputSoftLimit = 4<<20, 0 })
	probe := client(t, srv, 2)
	other := srv.Dial(t)
	other.SendString("SET v " + strings.Repeat("v", 1024) + "\r\n")
	other.ExpectString("+OK\r\n")
	before := heapNow()

	hog := srv.Dial(t)
	const n = 100000
	cmds := []byte(strings.Repeat("GET v\r\n", n))
	sent := make(chan int, 1)
	go func() { // blocks once both TCP windows are full; the close ends it
		_ = hog.Conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		w, _ := hog.Conn.Write(cmds)
		sent <- w
	}()
	// Wait until the server has answered 5 MB worth (more than the socket
	// buffers hold), then until it stops: the hog is no longer read.
	processed := func() int64 {
		info := probe.Info(context.Background(), "stats").Val()
		var v int64
		for _, l := range strings.Split(info, "\r\n") {
			if s, ok := strings.CutPrefix(l, "total_commands_processed:"); ok {
				v, _ = strconv.ParseInt(s, 10, 64)
			}
		}
		return v
	}
	var last int64
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		other.SendString("INCR n\r\n") // served all along
		other.ExpectString(fmt.Sprintf(":%d\r\n", i+1))
		now := processed()
		if now-last <= 2 && now > 5000 { // INFO and INCR: the probe's own

			break // a whole round trip of the others with none of the hog's
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server processed %d commands and is still going after 20 s: the hog is read on (100 000 sent)", now)
		}
		last = now
	}
	grew := heapNow() - before
	hog.Conn.Close()
	w := <-sent
	t.Logf("the server processed %d commands; the hog wrote %d of %d bytes; heap grew %d bytes", last, w, len(cmds), grew)
	if grew > 16<<20 {
		t.Errorf("heap grew %d bytes with 100 MB of replies owed to a client that reads nothing; want under 16 MiB", grew)
	}
	other.SendString("PING\r\n")
	other.ExpectString("+PONG\r\n")
}

// TestBadInputLongLines sends lines past 64 KiB that never end (an inline
// command, a multibulk count, a bulk length) to both servers: each answers
// Redis's "too big" error and closes. No end mark follows, as it would end
// the line and the reply would depend on how much one read got.
func TestBadInputLongLines(t *testing.T) {
	redisAddr := startRedisServer(t)
	srv := startResp(t)
	for i, in := range []string{strings.Repeat("a", 140000), "*" + strings.Repeat("1", 140000),
		"*1\r\n$" + strings.Repeat("1", 140000)} {
		ours, ref := untilClosed(t, srv.Addr, in), untilClosed(t, redisAddr, in)
		if ours != ref || !strings.HasPrefix(ours, "-ERR Protocol error: too big") {
			t.Errorf("case %d:\nasync_server: %q\nredis-server: %q", i, ours, ref)
		}
	}
}

// untilClosed sends in and returns everything read until the server closes.
func untilClosed(t *testing.T, addr, in string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(c, in) // the server may close before all is sent: its reply says why
	got, err := io.ReadAll(c)
	if err != nil && !isReset(err) {
		t.Fatalf("%s: after %q: %v", addr, got, err)
	}
	return string(got)
}
