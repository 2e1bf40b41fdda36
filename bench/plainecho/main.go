// Command plainecho is the reference server of the idle-memory and accept-rate
// benchmarks (actors_test/scale_bench_test.go): a plain goroutine-per-connection
// echo server with a 4 KiB read buffer and nothing else, so that the comparison
// with async_server -behavior echo is echo against echo, process against process.
//
//	cd bench && go run ./plainecho [-timeouts] 9000
//
// The port defaults to 9000; 0 picks a free one. It prints "listening on ADDR"
// once it accepts, and runs until it is killed. With -timeouts it keeps
// async_server's default limits the usual way, a read deadline (5 minutes,
// -idle-timeout) before every read and a write deadline (10 s,
// -write-timeout) before every write: the plain server with the same
// promises (docs/benchmarks.md, "where a round trip's CPU goes").
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

// bufSize is the read buffer each connection holds for its whole life, as a
// plain server written the usual way does; the reference numbers use it.
const bufSize = 4 << 10

// The limits of -timeouts: async_server's defaults.
const (
	idleTimeout  = 5 * time.Minute
	writeTimeout = 10 * time.Second
)

var timeouts = flag.Bool("timeouts", false, "set a read deadline before every read and a write deadline before every write")

func main() {
	flag.Parse()
	port := "9000"
	if flag.NArg() > 0 {
		port = flag.Arg(0)
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
		if *timeouts {
			_ = c.SetReadDeadline(time.Now().Add(idleTimeout))
		}
		n, err := c.Read(buf)
		if n > 0 {
			if *timeouts {
				_ = c.SetWriteDeadline(time.Now().Add(writeTimeout))
			}
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
