package actors_test

// The harness of the admin endpoint's tests: an endpoint beside a test
// server, a JSON client for its routes, and a Prometheus scrape parsed with
// Prometheus's own parser. admin_sse_test.go is its server-sent-events client.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"async_server/actors"
	"async_server/admin"
	"async_server/observatory"
)

// adminClient talks to an admin endpoint started by startAdmin.
type adminClient struct {
	*admin.Admin
	URL string // http://HOST:PORT
}

// startObserved starts a server with the observatory on (configure, if not
// nil, adjusts the config first) and an admin endpoint beside it on
// 127.0.0.1:0. The endpoint is closed before the server stops.
func startObserved(t testing.TB, configure func(*actors.Config)) (*testServer, *adminClient) {
	t.Helper()
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Observe = true
		if configure != nil {
			configure(cfg)
		}
	})
	a, err := admin.Start("127.0.0.1:0", s.Server, s.Log())
	if err != nil {
		t.Fatalf("admin.Start: %v", err)
	}
	t.Cleanup(a.Close) // runs before the server's cleanup: registered after it
	return s, &adminClient{Admin: a, URL: "http://" + a.Addr().String()}
}

// get fetches path and returns its status and body.
func (a *adminClient) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	return a.do(t, http.MethodGet, path, "")
}

// do sends a request with body (none if empty) and returns the status and body.
func (a *adminClient) do(t testing.TB, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	client := http.Client{Timeout: waitTimeout}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// inject posts a fault and returns the event of the 202.
func (a *adminClient) inject(t testing.TB, fault string) observatory.Event {
	t.Helper()
	code, body := a.do(t, http.MethodPost, "/faults", fault)
	if code != http.StatusAccepted {
		t.Fatalf("POST /faults %s = %d %s; want 202", fault, code, body)
	}
	var reply struct{ Injected observatory.Event }
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatalf("POST /faults reply %s: %v", body, err)
	}
	return reply.Injected
}

// tree fetches /tree.
func (a *adminClient) tree(t testing.TB) *observatory.Node {
	t.Helper()
	code, body := a.get(t, "/tree")
	var root observatory.Node
	if err := json.Unmarshal(body, &root); code != http.StatusOK || err != nil {
		t.Fatalf("GET /tree = %d %s (%v); want 200 and a tree", code, body, err)
	}
	return &root
}

// getJSON fetches url and decodes its JSON body into v. It takes no
// testing.TB, so any goroutine may call it.
func getJSON(url string, v any) error {
	client := http.Client{Timeout: waitTimeout}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s = %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// connections are the connection nodes of a tree, every connection
// supervisor's.
func connections(root *observatory.Node) []*observatory.Node {
	var conns []*observatory.Node
	for _, n := range root.Children {
		if n.Kind == observatory.KindConns {
			conns = append(conns, n.Children...)
		}
	}
	return conns
}

// metrics scrapes /metrics and parses it with Prometheus's text parser.
func (a *adminClient) metrics(t testing.TB) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := a.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return fams
}

// metricSum adds up the samples of the family called name whose labels
// include every pair of labels (name=value, ...).
func metricSum(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	sum := 0.0
	for _, m := range fams[name].GetMetric() {
		if hasLabels(m, labels) {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue()
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, pairs []string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			found = found || (l.GetName() == pairs[i] && l.GetValue() == pairs[i+1])
		}
		if !found {
			return false
		}
	}
	return true
}

// waitMetric waits until metricSum(name, labels...) is want.
func (a *adminClient) waitMetric(t testing.TB, want float64, name string, labels ...string) {
	t.Helper()
	var got float64
	deadline := time.Now().Add(waitTimeout)
	for {
		if got = metricSum(a.metrics(t), name, labels...); got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%q = %v after %v; want %v", name, labels, got, waitTimeout, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
