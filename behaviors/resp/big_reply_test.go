package resp_test

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"

	"async_server/behaviors/resp"
	"async_server/testkit"
)

// TestBigReplyIsNotCopied ensures a big reply is written from the buffer the
// key space wrote it into: the bytes the whole process allocates per GET
// of a 4 MiB value (the client reads into one buffer it keeps) stay under
// 1.5 times the value. The session copied every reply into its own output
// buffer, which grew to fit it: 2 times the value, and more.
func TestBigReplyIsNotCopied(t *testing.T) {
	if resp.RaceEnabled {
		t.Skip("allocation counts are not production's under -race")
	}
	srv := testkit.Start(t, "resp")
	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const size = 4 << 20
	r := bufio.NewReaderSize(c, 64<<10)
	value := strings.Repeat("v", size)
	if _, err := io.WriteString(c, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$4194304\r\n"+value+"\r\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
		t.Fatalf("SET: %q, %v", line, err)
	}
	get := []byte("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
	head := "$4194304\r\n"
	roundTrip := func() {
		if _, err := c.Write(get); err != nil {
			t.Fatal(err)
		}
		if n, err := r.Discard(len(head) + size + 2); err != nil {
			t.Fatalf("GET: %d bytes, %v", n, err)
		}
	}
	for range 3 { // past the connection's first key-space command, and warm
		roundTrip()
	}
	const gets = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range gets {
		roundTrip()
	}
	runtime.ReadMemStats(&after)
	perGet := float64(after.TotalAlloc-before.TotalAlloc) / gets
	t.Logf("%.2f MiB allocated per GET of a 4 MiB value", perGet/(1<<20))
	if perGet > 1.5*size {
		t.Errorf("%.2f MiB allocated per GET of a 4 MiB value; want at most 1.5 times it", perGet/(1<<20))
	}
}
