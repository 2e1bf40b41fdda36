package resp_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"

	"async_server/testkit"
)

// BenchmarkPipeline sends what redis-benchmark -t set,get does, over one
// connection to an in-process server: depth commands in one write, then
// their replies read. One op is one command; allocs/op counts the whole
// process (this client allocates nothing per op), so it is the server's
// allocations per command. Its CPU time has the client's in it: compare
// runs of this benchmark with each other, not with redis-server.
//
//	go test -run '^$' -bench BenchmarkPipeline -benchmem ./behaviors/resp/
func BenchmarkPipeline(b *testing.B) {
	srv := testkit.Start(b, "resp")
	for _, cmd := range []string{"SET", "GET"} {
		for _, depth := range []int{1, 16} {
			b.Run(cmd+"/P"+strconv.Itoa(depth), func(b *testing.B) {
				benchPipeline(b, srv.Addr, cmd, depth)
			})
		}
	}
}

func benchPipeline(b *testing.B, addr, cmd string, depth int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	one := "*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n"
	reply := []byte("$3\r\nxxx\r\n")
	if cmd == "SET" {
		one = "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n"
		reply = []byte("+OK\r\n")
	}
	if _, err := c.Write([]byte("*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n")); err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReaderSize(c, 64<<10)
	if _, err := r.ReadSlice('\n'); err != nil {
		b.Fatal(err)
	}
	batch := bytes.Repeat([]byte(one), depth)
	want := bytes.Repeat(reply, depth)
	got := make([]byte, len(want))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += depth {
		if _, err := c.Write(batch); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(r, got); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if !bytes.Equal(got, want) {
		b.Fatalf("replies %q; want %q", got, want)
	}
}
