// Package admin is the admin endpoint (-admin HOST:PORT): a small net/http
// server, on its own listener and never one of the server's connections, that
// shows a running actors.Server and lets an operator or a student break it on
// purpose:
//
//	GET  /metrics  Prometheus metrics (observatory.Hub.Registry)
//	GET  /tree     the live actor tree as JSON (observatory.Node)
//	GET  /events   server-sent events: every event the hub publishes (events.go)
//	POST /faults   inject a categorized fault or a stall (faults.go)
//	GET  /healthz  liveness probe: 200 while the process answers (probes.go)
//	GET  /readyz   readiness probe: 200 while the server takes clients, 503 once it drains
//	GET  /         the dashboard (package admin/dashboard)
//
// Everything it shows comes from the server's observatory.Hub, which the
// actors report to; no handler here asks an actor anything, so looking does
// not slow the data path. Anyone who can reach the endpoint can break
// connections: it listens on loopback unless told otherwise.
package admin

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sirupsen/logrus"

	"async_server/actors"
	"async_server/admin/dashboard"
	"async_server/observatory"
)

// Timeouts of the admin server. Its clients are a browser, curl and a
// Prometheus scraper: generous, but a client that stalls holds a goroutine
// and a socket only this long. /events lifts the read and write deadlines
// for its stream and sets its own per write (events.go).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second // the whole request; a fault's body is at most 4 KiB
	writeTimeout      = 30 * time.Second // a /metrics or /tree reply to a client that does not read
	idleTimeout       = 5 * time.Second  // between requests: the dashboard asks twice a second; idle keep-alives must not fill maxConns
	maxHeaderBytes    = 64 << 10
	closeTimeout      = 5 * time.Second // Close waits this long for requests in flight, then cuts them
	// clientStall is how long a request's client may go without taking the
	// next chunk of the reply (writeChunk), or sending a byte of the body,
	// before it counts as stalled (conn): at maxConns a new connection may
	// close it then, and once Close has begun it is cut then. A scraper
	// that reads gets its reply whole; one that has stopped reading holds
	// neither a slot nor the exit. Longer than a retransmission on any
	// link the endpoint should serve.
	clientStall = time.Second

	// maxConns bounds the endpoint's open connections (each holds a goroutine
	// and a socket), /events streams (maxStreams) included: at the limit a
	// new one closes a silent, idle or stalled one (limit.go); maxScrapes
	// bounds the /metrics replies made at once (each walks every
	// connection's counters under the observatory's lock): more get 503.
	maxConns   = 64
	maxScrapes = 4
)

// Admin is a running admin endpoint. Start it after the actors.Server, Close
// it after the server is done.
type Admin struct {
	srv  *actors.Server
	hub  *observatory.Hub
	log  *logrus.Entry
	http *http.Server
	ln   *limitListener

	quit      chan struct{} // closed by Close: every /events stream ends
	frames    frames        // each event encoded once for every stream
	served    chan struct{} // closed when Serve has returned; Close waits for it
	closeOnce sync.Once

	// writeWait, closeWait, stallWait and headerWait are writeWait,
	// closeTimeout, clientStall and readHeaderTimeout; tests lengthen them
	// (start). Set before the server serves, read only after.
	writeWait, closeWait, stallWait, headerWait time.Duration
	// listen opens the listener; tests give its sockets a small send buffer
	// (Control), so that a reply fills it as it would on a slow link.
	listen net.ListenConfig

	mu      sync.Mutex
	closing bool                                  // Close has begun: no stream writes again (cutStreams)
	open    map[*http.ResponseController]struct{} // the open /events streams' writers (at most maxStreams), that Close cuts
}

// Start listens on addr (any form Address accepts) and serves srv's
// observatory there until Close. srv must keep one (Config.Observe).
func Start(addr string, srv *actors.Server, logger *logrus.Entry) (*Admin, error) {
	return start(addr, srv, logger, nil)
}

// start is Start; configure, if not nil, adjusts the Admin before it serves.
func start(addr string, srv *actors.Server, logger *logrus.Entry, configure func(*Admin)) (*Admin, error) {
	if srv.Hub() == nil {
		return nil, errors.New("admin: the server keeps no observatory (start it with Config.Observe)")
	}
	addr, err := Address(addr)
	if err != nil {
		return nil, err
	}
	a := &Admin{srv: srv, hub: srv.Hub(), log: logger.WithField("component", "admin"),
		quit: make(chan struct{}), served: make(chan struct{}),
		writeWait: writeWait, closeWait: closeTimeout, stallWait: clientStall, headerWait: readHeaderTimeout, open: make(map[*http.ResponseController]struct{})}
	if configure != nil {
		configure(a)
	}
	ln, err := a.listen.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin: cannot listen on %s: %w", addr, err)
	}
	a.ln = newLimitListener(ln, maxConns, a.stallWait)
	a.http = &http.Server{
		Handler:           watchBody(hostGuard(addr, a.routes())),
		ReadHeaderTimeout: a.headerWait,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          errorLog(a.log),
		ConnState:         a.ln.track,
		ConnContext:       withConn,
	}
	go func() { // exits when Close shuts the server down
		defer close(a.served)
		_ = a.http.Serve(a.ln) // always ErrServerClosed after Close
	}()
	a.log.WithField("addr", a.ln.Addr().String()).Info("admin listening")
	return a, nil
}

// routes maps each path to its handler. Another method on a GET path falls
// through to "/", whose getOnly answers 405 with an Allow header; /faults
// checks its own.
//
// POST /faults breaks connections, so a web page the operator happens to
// visit must not be able to post to it (CSRF: a form or fetch to
// 127.0.0.1:9090 from another site): net/http's CrossOriginProtection refuses
// a browser's cross-origin POST (Sec-Fetch-Site, or an Origin that is not
// the Host) with 403. curl, scripts and the dashboard itself (same origin)
// pass.
func (a *Admin) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.hub.Registry(), promhttp.HandlerOpts{MaxRequestsInFlight: maxScrapes}))
	mux.HandleFunc("GET /tree", a.tree)
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /events", a.events)
	mux.HandleFunc("/faults", a.faults)
	mux.Handle("/", getOnly(dashboard.Handler()))
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin "+r.Method+" refused: post faults from the dashboard, curl or a script, not from another site's page")
	}))
	return csrf.Handler(mux)
}

// Addr returns the address the endpoint listens on (the real port when
// asked for port 0).
func (a *Admin) Addr() net.Addr { return a.ln.Addr() }

// Close ends every /events stream at once (one blocked writing to a client
// that does not read included), resets the connections that have sent no
// request, lets the other requests in flight finish while their clients
// keep up (each read and each chunk of a reply within clientStall; up to
// closeTimeout in all, then cuts them), closes the listener and waits until
// the server has stopped. Calling it again does nothing.
func (a *Admin) Close() {
	a.closeOnce.Do(func() {
		// Streams first: Shutdown waits for every request, and a stream never
		// ends by itself. quit ends a stream waiting for events; cutStreams
		// one blocked writing to a client that does not read. Then drain:
		// Shutdown waits for a connection that sent nothing until it is 5 s
		// old, and for a reply until its client has taken it.
		close(a.quit)
		a.cutStreams()
		a.ln.drain()
		ctx, cancel := context.WithTimeout(context.Background(), a.closeWait)
		defer cancel()
		if err := a.http.Shutdown(ctx); err != nil {
			_ = a.http.Close()
		}
		<-a.served
	})
}

// getOnly answers methods other than GET and HEAD with 405.
func getOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use GET")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// errorLog sends what net/http logs (a handler's panic, an accept error)
// to the server's log, at Warn: each line as one entry, its text (without
// the newline log.Logger ends it with) as the cause.
func errorLog(entry *logrus.Entry) *log.Logger {
	return log.New(logWriter{entry}, "", 0)
}

type logWriter struct{ entry *logrus.Entry }

func (w logWriter) Write(p []byte) (int, error) {
	w.entry.WithField("cause", strings.TrimSuffix(string(p), "\n")).Warn("admin http server")
	return len(p), nil
}
