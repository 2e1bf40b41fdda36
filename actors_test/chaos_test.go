package actors_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"async_server/actors"
)

// chaosRate is the faults per second of the chaos tests: with 8 clients,
// about 60 per connection per second, so most sessions meet one.
const chaosRate = 500

// chaosClients is how many clients pipeline at once during a chaos run.
const chaosClients = 8

// chaosSessions bounds each client's connections, so the test stops by itself.
const chaosSessions = 25

// TestChaosEchoNeverWrong runs -chaos against echo while clients pipeline
// numbered lines, 2 000 to a connection, reconnecting when chaos closes one.
// What each connection gets back must be exactly a prefix of what it sent:
// every reply it is owed, in order, until a clean close, never a wrong byte.
func TestChaosEchoNeverWrong(t *testing.T) {
	srv := startServer(t, func(cfg *actors.Config) {
		cfg.Chaos = chaosRate
		cfg.Log.Level = "info"
	})
	var whole, cut chaosCount
	chaosRun(t, func(client, session int) {
		var sent bytes.Buffer
		for i := range 2000 {
			fmt.Fprintf(&sent, "client %d session %d line %d\n", client, session, i)
		}
		got, err := pipeline(srv.Addr, sent.Bytes(), 0, func(r io.Reader) ([]byte, error) { return io.ReadAll(r) })
		if !bytes.HasPrefix(sent.Bytes(), got) {
			t.Errorf("client %d session %d: a reply that was not owed (err %v):\n%q", client, session, err, firstDiff(sent.Bytes(), got))
		}
		whole.add(len(got) == sent.Len())
		cut.add(len(got) < sent.Len())
	})
	chaosCheck(t, srv, whole.n, cut.n)
}

// TestChaosHTTPNeverWrong is the same for http: 100 pipelined GETs of the
// index page per connection, written 16 bytes at a time so that faults land
// mid-request; every response read must be the page, in order, but for a last
// 408 with Connection: close (an injected Timeout mid-request gets the
// goodbye a real one gets) followed by nothing.
func TestChaosHTTPNeverWrong(t *testing.T) {
	srv := startHTTP(t, func(cfg *actors.Config) {
		cfg.Chaos = chaosRate
		cfg.Log.Level = "info"
	})
	page := chaosGetPage(t, srv.url("/"))
	const requests = 100
	var whole, cut chaosCount
	chaosRun(t, func(client, session int) {
		raw := bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: chaos\r\n\r\n"), requests)
		var answered int
		_, err := pipeline(srv.Addr, raw, 16, func(r io.Reader) ([]byte, error) {
			br := bufio.NewReader(r)
			for answered < requests {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					return nil, err
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					return nil, err
				}
				if resp.StatusCode == http.StatusRequestTimeout && resp.Close {
					// An injected Timeout, told as a real one is (the behavior's
					// TimedOut): the connection's goodbye, not an answer.
					if n, _ := io.Copy(io.Discard, br); n > 0 {
						t.Errorf("client %d session %d: %d bytes after the 408 goodbye", client, session, n)
					}
					return nil, io.EOF
				}
				if resp.StatusCode != http.StatusOK || string(body) != page {
					t.Errorf("client %d session %d response %d: %s, %d bytes: not the page", client, session, answered, resp.Status, len(body))
				}
				answered++
			}
			return nil, nil
		})
		whole.add(answered == requests)
		cut.add(answered < requests && err != nil)
	})
	chaosCheck(t, srv, whole.n, cut.n)
}

// chaosGetPage gets url's body, trying again when chaos cuts the connection.
func chaosGetPage(t *testing.T, url string) string {
	client := httpClient(t)
	deadline := time.Now().Add(waitTimeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if rerr == nil && resp.StatusCode == http.StatusOK {
				return string(body)
			}
			err = fmt.Errorf("%s, %v", resp.Status, rerr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s during chaos: %v", url, err)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition against the deadline
	}
}

// chaosCount counts sessions of one kind across the clients.
type chaosCount struct {
	mu sync.Mutex
	n  int
}

func (c *chaosCount) add(yes bool) {
	if yes {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
}

// chaosRun runs chaosClients clients, each chaosSessions sessions in turn.
func chaosRun(t *testing.T, session func(client, session int)) {
	var wg sync.WaitGroup
	for c := range chaosClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range chaosSessions {
				session(c, s)
			}
		}()
	}
	wg.Wait()
}

// pipeline dials addr, writes all of out while read reads the replies, then
// half-closes; it returns what read returned and the first error of the
// session (a reset or EOF chaos caused is one). piece, when not 0, writes out
// that many bytes at a time, so requests arrive split and a fault can land
// while the behavior holds the start of one.
func pipeline(addr string, out []byte, piece int, read func(io.Reader) ([]byte, error)) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitTimeout))
	werr := make(chan error, 1)
	go func() {
		var err error
		for rest := out; len(rest) > 0 && err == nil; {
			n := len(rest)
			if piece > 0 {
				n = min(n, piece)
			}
			_, err = conn.Write(rest[:n])
			rest = rest[n:]
		}
		_ = conn.(*net.TCPConn).CloseWrite()
		werr <- err
	}()
	got, rerr := read(conn)
	if err := <-werr; rerr == nil {
		rerr = err
	}
	return got, rerr
}

// chaosCheck checks that chaos struck (faults injected, decisions marked
// injected, connections cut) and that clients were still served whole.
func chaosCheck(t *testing.T, srv *testServer, whole, cut int) {
	t.Helper()
	injected := gatheredSum(t, srv.Hub().Registry(), "async_server_faults_injected_total")
	decided := gatheredSum(t, srv.Hub().Registry(), "async_server_supervision_decisions_total", "injected", "true")
	t.Logf("faults injected %v, injected decisions %v; sessions whole %d, cut by a fault %d", injected, decided, whole, cut)
	if injected == 0 || decided == 0 {
		t.Errorf("chaos injected %v faults, %v decisions: want some of each", injected, decided)
	}
	if whole == 0 {
		t.Errorf("no session was served whole during chaos")
	}
}

// gatheredSum sums the samples of a metric of g whose labels include the
// name, value pairs given (metricSum over a fresh Gather).
func gatheredSum(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	byName := make(map[string]*dto.MetricFamily, len(families))
	for _, f := range families {
		byName[f.GetName()] = f
	}
	return metricSum(byName, name, labels...)
}

// firstDiff shows where got leaves want.
func firstDiff(want, got []byte) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	lo := max(0, i-40)
	return fmt.Sprintf("at byte %d: got ...%q, want ...%q", i, got[lo:min(len(got), i+40)], want[lo:min(len(want), i+40)])
}

// TestChaosLogBounded ensures -chaos does not write a line per injection
// outside the log budget: with the log at info, faults injected into 20
// connections leave no "fault injected" line (the observatory counts each,
// and the decisions they cause are logged within the listener's budget).
func TestChaosLogBounded(t *testing.T) {
	srv := startServer(t, func(cfg *actors.Config) {
		cfg.Chaos = 200
		cfg.Log.Level = "info"
	})
	for range 20 {
		// Not srv.dial: chaos may break a connection between the handshake
		// and the dialer's look at it, which Dial reports as its own error
		// (connection reset by peer). Only live targets are needed.
		if c, err := net.DialTimeout("tcp", srv.Addr, waitTimeout); err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	waitFor(t, "10 faults injected", func() bool {
		return gatheredSum(t, srv.Hub().Registry(), "async_server_faults_injected_total") >= 10
	})
	srv.stop(t)
	if n := srv.countLogLines(t, logLine{"msg": "fault injected"}); n > 0 {
		t.Errorf("%d \"fault injected\" lines at level info; want none", n)
	}
}
