// Command fileserver is the reference server of the wrk benchmark in docs/benchmarks.md:
// net/http's own static file server and nothing else, so that the comparison
// with async_server -root DIR is file serving against file serving.
//
//	cd bench && go run ./fileserver -root ../behaviors/web/site 8081
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	root := flag.String("root", ".", "directory to serve")
	flag.Parse()
	port := "8081"
	if flag.NArg() > 0 {
		port = flag.Arg(0)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "fileserver: listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.FileServer(http.Dir(*root))))
}
