package resp_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"

	"async_server/admin"
	"async_server/testkit"
)

// TestMetricsCountCommands runs commands with go-redis against a server with
// the admin endpoint, scrapes its /metrics and finds each command's calls,
// error replies and latency count exactly: run on the key space (SET, GET,
// INCR), the broker (PUBLISH) and the connection (ECHO), refused for their
// arity, and unknown ones under one label.
func TestMetricsCountCommands(t *testing.T) {
	srv := startResp(t)
	a := startAdmin(t, srv)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, PoolSize: 1})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		must(rdb.Set(ctx, "k", "v", 0).Err())
	}
	must(rdb.Get(ctx, "k").Err())
	if err := rdb.Get(ctx, "missing").Err(); err != redis.Nil {
		t.Fatalf("GET missing: %v", err)
	}
	if err := rdb.Incr(ctx, "k").Err(); err == nil {
		t.Fatal("INCR of a string: no error")
	}
	if err := rdb.Do(ctx, "get").Err(); err == nil { // wrong arity: refused
		t.Fatal("GET without a key: no error")
	}
	for range 2 {
		if err := rdb.Do(ctx, "nosuch", "x").Err(); !isUnknown(err) {
			t.Fatalf("nosuch: %v", err)
		}
	}
	must(rdb.Publish(ctx, "ch", "hi").Err())
	must(rdb.Echo(ctx, "e").Err())

	body := scrape(t, "http://"+a.Addr().String()+"/metrics")
	for _, want := range []string{
		`async_server_resp_commands_total{command="set"} 3`,
		`async_server_resp_commands_total{command="get"} 3`,
		`async_server_resp_command_errors_total{command="get"} 1`,
		`async_server_resp_command_duration_seconds_count{command="get"} 2`,
		`async_server_resp_command_duration_seconds_count{command="set"} 3`,
		`async_server_resp_commands_total{command="incr"} 1`,
		`async_server_resp_command_errors_total{command="incr"} 1`,
		`async_server_resp_commands_total{command="unknown"} 2`,
		`async_server_resp_command_errors_total{command="unknown"} 2`,
		`async_server_resp_commands_total{command="publish"} 1`,
		`async_server_resp_command_duration_seconds_count{command="publish"} 1`,
		`async_server_resp_commands_total{command="echo"} 1`,
		`async_server_resp_command_duration_seconds_bucket{command="echo",le="+Inf"} 1`,
	} {
		if !hasLine(body, want) {
			t.Errorf("/metrics has no line %q", want)
		}
	}
	if !hasLine(body, `async_server_resp_command_errors_total{command="set"} 0`) {
		t.Error("/metrics does not count SET's errors as 0")
	}
	for _, absent := range []string{`command="nosuch"`, `command="lpush"`} { // not a command; not used
		if strings.Contains(body, absent) {
			t.Errorf("/metrics has a series with %s", absent)
		}
	}
	if t.Failed() {
		t.Logf("/metrics, resp lines:\n%s", respLines(body))
	}
}

// startAdmin starts an admin endpoint (quiet) for srv, closed when the test
// ends.
func startAdmin(t *testing.T, srv *testkit.Server) *admin.Admin {
	t.Helper()
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	a, err := admin.Start("127.0.0.1:0", srv.Server, logrus.NewEntry(quiet))
	if err != nil {
		t.Fatalf("admin.Start: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

// scrape GETs url and returns the body.
func scrape(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", url, res.StatusCode, err)
	}
	return string(b)
}

func hasLine(body, line string) bool {
	for l := range strings.SplitSeq(body, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func respLines(body string) string {
	var out []string
	for l := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(l, "async_server_resp_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestLatencyPerCommandInBatch ensures each command of a pipelined batch is
// timed by itself (the key space reads the clock once per command, each
// command starting where the one before it ended): after DEBUG SLEEP 0.2
// and a SET sent in one pipeline, INFO commandstats gives the sleep at
// least 200 ms and the SET far less.
func TestLatencyPerCommandInBatch(t *testing.T) {
	srv := startResp(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, PoolSize: 1})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	pipe := rdb.Pipeline()
	pipe.Do(ctx, "debug", "sleep", "0.2")
	pipe.Set(ctx, "k", "v", 0)
	pipe.Get(ctx, "k")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	usec := func(name string) int {
		t.Helper()
		for _, l := range strings.Split(info, "\r\n") {
			if rest, ok := strings.CutPrefix(l, "cmdstat_"+name+":"); ok {
				for _, f := range strings.Split(rest, ",") {
					if v, ok := strings.CutPrefix(f, "usec="); ok {
						n, err := strconv.Atoi(v)
						if err != nil {
							t.Fatalf("%q: %v", l, err)
						}
						return n
					}
				}
			}
		}
		t.Fatalf("INFO commandstats has no cmdstat_%s: %q", name, info)
		return 0
	}
	if d := usec("debug"); d < 200_000 {
		t.Errorf("DEBUG SLEEP 0.2: usec=%d; want at least 200000", d)
	}
	for _, name := range []string{"set", "get"} {
		if d := usec(name); d >= 100_000 {
			t.Errorf("%s after DEBUG SLEEP in one pipeline: usec=%d; want under 100000", name, d)
		}
	}
}
