package web_test

import (
	"fmt"
	"io"
	"net/http"

	"async_server/actors"
	"async_server/behaviors/web"
)

// ExampleNew serves a handler of one's own under supervised connection
// actors: each connection is an actor, a handler panic is answered 500 and the
// connection restarted, and the limits of web.DefaultOptions apply
// (web.Options{} would have none).
func ExampleNew() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from a connection actor")
	})

	cfg := actors.DefaultConfig()
	cfg.Port = 0                               // any free port
	cfg.Log.File, cfg.Log.Level = "-", "error" // the log on standard error, errors only
	o := web.DefaultOptions()
	o.MaxBody = 8 << 20
	cfg.Protocol = web.New(mux, o)
	srv, err := actors.Start(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { srv.Shutdown(); <-srv.Done() }()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + srv.Addrs()[0].String() + "/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, ": ", string(body))
	// Output: 200 OK: hello from a connection actor
}
