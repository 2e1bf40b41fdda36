package admin

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/observatory"
	"async_server/testkit"
)

// smallBuffers gives a socket a receive buffer (a client's) or a send buffer
// (the endpoint's listener, whose connections inherit it) of 1 KiB, the
// kernel's least: a reply of a few KiB to a client that does not read then
// blocks its writer, as a large one does on any link.
func smallBuffers(opt int) func(string, string, syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, 1024) })
	}
}

// stuckClient connects to the endpoint with a small receive buffer, sends
// request and never reads; the test's end closes it.
func stuckClient(t *testing.T, a *Admin, request string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: smallBuffers(syscall.SO_RCVBUF)}
	c, err := d.Dial("tcp", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	return c
}

// treeConns is how many connections make a /tree of about 15 KiB: more than
// the small buffers hold.
const treeConns = 100

// openConns connects n clients to srv and waits until its tree lists them.
func openConns(t *testing.T, srv *actors.Server, n int) {
	t.Helper()
	for range n {
		c, err := net.Dial("tcp", srv.Addrs()[0].String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	for deadline := time.Now().Add(testkit.DefaultTimeout); countConns(srv.Hub().Tree()) != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the tree lists %d connections after %v; want %d", countConns(srv.Hub().Tree()), testkit.DefaultTimeout, n)
		}
	}
}

// countConns counts the connections n lists.
func countConns(n *observatory.Node) int {
	count := 0
	if n.Kind == "connection" {
		count++
	}
	for _, c := range n.Children {
		count += countConns(c)
	}
	return count
}

// waitConns waits until the endpoint holds n connections, each in state.
func waitConns(t *testing.T, a *Admin, n int, state http.ConnState) {
	t.Helper()
	l := a.ln
	for deadline := time.Now().Add(testkit.DefaultTimeout); ; time.Sleep(time.Millisecond) {
		l.mu.Lock()
		in := 0
		for _, s := range l.conns {
			if s.state == state {
				in++
			}
		}
		all := len(l.conns)
		l.mu.Unlock()
		if in == n && all == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the endpoint holds %d connections, %d of them %v; want %d, all %v", all, in, state, n, state)
		}
	}
}

// closeWithin calls a.Close and fails the test unless it returns within
// testkit.DefaultTimeout; stuck are closed then, so that the cleanup's Close
// returns.
func closeWithin(t *testing.T, a *Admin, what string, stuck ...net.Conn) {
	t.Helper()
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(testkit.DefaultTimeout):
		for _, c := range stuck {
			c.Close()
		}
		<-closed
		t.Fatalf("Close had not returned after %v with %s", testkit.DefaultTimeout, what)
	}
}

// TestCloseCutsStuckClients ensures Close ends at once the requests of
// clients that do not keep up: a reply that fills its socket's buffers to a
// client that does not read it (/metrics, /tree, the dashboard's script),
// and a request whose body never comes (a fault, or a body sent with a GET,
// which the server reads past before it answers). Close waited for them
// until closeTimeout (a server's exit took 5 s). The endpoint's own waits
// are an hour here: only cutting them lets Close return.
func TestCloseCutsStuckClients(t *testing.T) {
	srv, a := startAdmin(t, func(a *Admin) {
		a.writeWait, a.closeWait = time.Hour, time.Hour
		a.listen.Control = smallBuffers(syscall.SO_SNDBUF)
	})
	openConns(t, srv, treeConns)
	get := "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	requests := []string{
		fmt.Sprintf(get, "/metrics"),
		fmt.Sprintf(get, "/tree"),
		fmt.Sprintf(get, "/app.js"),
		"POST /faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"target\":",
		"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n",
	}
	var stuck []net.Conn
	for _, r := range requests {
		stuck = append(stuck, stuckClient(t, a, r))
	}
	waitConns(t, a, len(requests), http.StateActive)
	closeWithin(t, a, "clients that do not read their replies or send their bodies", stuck...)
}

// TestCloseLetsReaderFinish ensures a client that reads its reply gets it
// whole when Close begins in the middle of it: Close cuts only clients that
// stop keeping up. The endpoint's waits are an hour here, clientStall
// included, so that the client's reading, not a timer, ends the reply.
func TestCloseLetsReaderFinish(t *testing.T) {
	srv, a := startAdmin(t, func(a *Admin) {
		a.closeWait, a.stallWait = time.Hour, time.Hour
		a.listen.Control = smallBuffers(syscall.SO_SNDBUF)
	})
	openConns(t, srv, treeConns)
	c := stuckClient(t, a, "GET /tree HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	waitConns(t, a, 1, http.StateActive)
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	for deadline := time.Now().Add(testkit.DefaultTimeout); ; time.Sleep(time.Millisecond) {
		a.ln.mu.Lock()
		draining := a.ln.draining
		a.ln.mu.Unlock()
		if draining {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Close had not begun draining after %v", testkit.DefaultTimeout)
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(testkit.DefaultTimeout))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the reply once Close has begun: %v", err)
	}
	var tree observatory.Node
	if err := json.NewDecoder(resp.Body).Decode(&tree); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /tree once Close has begun: %s, %v; want 200 and the whole tree", resp.Status, err)
	}
	if n := countConns(&tree); n != treeConns {
		t.Errorf("GET /tree: %d connections; want the %d open", n, treeConns)
	}
	select {
	case <-closed:
	case <-time.After(testkit.DefaultTimeout):
		t.Fatalf("Close had not returned %v after the reply was read", testkit.DefaultTimeout)
	}
}

// TestCloseResetsSilentSocket ensures Close closes at once, with a reset, a
// connection that has sent no request: http.Server.Shutdown waits for such
// a connection until it is 5 s old (a server's exit took 4.3 s with one
// `nc` connected), then closes it.
func TestCloseResetsSilentSocket(t *testing.T) {
	_, a := startAdmin(t, func(a *Admin) { a.closeWait, a.headerWait = time.Hour, time.Hour })
	c, err := net.Dial("tcp", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitConns(t, a, 1, http.StateNew)
	closeWithin(t, a, "a connection that sent nothing", c)
	_ = c.SetReadDeadline(time.Now().Add(testkit.DefaultTimeout))
	if n, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the silent connection: read %d, %v; want a reset: closed by Close at once", n, err)
	}
}
