// Command plainecho is the reference server of the idle-memory and accept-rate
// benchmarks (actors_test/scale_bench_test.go): a plain goroutine-per-connection
// echo server with a 4 KiB read buffer and nothing else, so that the comparison
// with async_server -behavior echo is echo against echo, process against process.
//
//	cd bench && go run ./plainecho 9000
//
// The port defaults to 9000; 0 picks a free one. It prints "listening on ADDR"
// once it accepts, and runs until it is killed.
package main

import (
	"fmt"
	"log"
	"net"
	"os"
)

// bufSize is the read buffer each connection holds for its whole life, as a
// plain server written the usual way does; the reference numbers use it.
const bufSize = 4 << 10

func main() {
	port := "9000"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "plainecho: listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go echo(c)
	}
}

// echo writes back what c sends until c ends; it owns c and closes it.
func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, bufSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
