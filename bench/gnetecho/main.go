// Command gnetecho is the event-loop reference of the idle-memory and echo
// benchmarks (actors_test/scale_bench_test.go, actors_test/echo_bench_test.go):
// an echo server on github.com/panjf2000/gnet/v2, whose event loops (one per
// core, epoll underneath) serve every connection without a goroutine or a
// buffer of its own while it is idle. It shows how far below a goroutine per
// connection a Go server can go.
//
//	cd bench && go run ./gnetecho 9000
//
// The port defaults to 9000; 0 picks a free one. It prints "listening on ADDR"
// once it accepts, and runs until it is killed. gnet is a dependency of this
// command only, in the bench module (bench/go.mod); the server's go.mod does
// not list it.
package main

import (
	"fmt"
	"log"
	"net"
	"os"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
)

// echo is the event handler: every byte read is written back. gnet calls it on
// the event loop that owns the connection.
type echo struct {
	gnet.BuiltinEventEngine
}

// OnBoot prints the ready line with the bound address, which gnet does not
// report itself: a duplicate of the listener's descriptor tells it.
func (*echo) OnBoot(eng gnet.Engine) gnet.Action {
	fd, err := eng.Dup()
	if err != nil {
		log.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "gnetecho: listening on %s\n", ln.Addr())
	_ = ln.Close()
	_ = f.Close()
	return gnet.None
}

// OnTraffic writes back what the connection has buffered. Next(-1) returns
// the loop's shared read buffer (valid until OnTraffic returns) and Write
// copies what the socket does not take at once.
func (*echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	if _, err := c.Write(buf); err != nil {
		return gnet.Close
	}
	return gnet.None
}

// quiet is gnet's logger: warnings and errors to standard error, the rest
// dropped, so that standard output holds only the ready line (gnet's own
// logger writes its start-up line there).
type quiet struct{}

var _ logging.Logger = quiet{}

func (quiet) Debugf(string, ...any)             {}
func (quiet) Infof(string, ...any)              {}
func (quiet) Warnf(format string, args ...any)  { log.Printf(format, args...) }
func (quiet) Errorf(format string, args ...any) { log.Printf(format, args...) }
func (quiet) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }

func main() {
	port := "9000"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	addr := "tcp://" + net.JoinHostPort("127.0.0.1", port)
	// Multicore: one event loop per core, as gnet's own benchmarks run it.
	err := gnet.Run(&echo{}, addr, gnet.WithMulticore(true), gnet.WithLogger(quiet{}))
	if err != nil {
		log.Fatal(err)
	}
}
