package actors_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/admin"
	"async_server/behaviors/web"
)

// BenchmarkAdmin measures what the admin endpoint costs the data path: the
// echo and http loads of BenchmarkEcho and BenchmarkHTTP, each against two
// servers in one run, one with the observatory and the admin endpoint on and
// a client polling /metrics and /tree every 100 ms while its load runs, the
// other with both off, alternating. It reports both rates and their ratio (on /
// off; 1.0: no cost) and how many polls were answered.
//
//	go test -run '^$' -bench BenchmarkAdmin -benchtime 200000x ./actors_test/
func BenchmarkAdmin(b *testing.B) {
	page := strings.Repeat("async_server benchmark page\n", 36)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, page)
	})
	loads := map[string]func(b *testing.B, addr string, conns, n int) time.Duration{
		"echo": echoRoundTrips,
		"http": func(b *testing.B, addr string, conns, n int) time.Duration {
			return loadHTTP(b, addr, conns, n, len(page)).elapsed
		},
	}
	for _, proto := range []string{"echo", "http"} {
		for _, conns := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/conns=%d", proto, conns), func(b *testing.B) {
				configure := func(cfg *actors.Config) {
					cfg.Log.Level = "warn"
					if proto == "http" {
						cfg.Protocol = web.New(handler, web.DefaultOptions())
					}
				}
				load := loads[proto]
				// The sides alternate in short runs (A B B A A B B A ...): on this
				// noisy machine, a slow minute then falls on both alike.
				const rounds = 8
				chunk := max(b.N/(2*rounds), conns)
				// Each server is warmed up before the next starts: Start may return
				// before its accept loop's goroutine exists, and the harness would
				// take that goroutine for the next server's leak.
				off := startServer(b, configure).Addr
				load(b, off, conns, chunk)
				on := startServer(b, func(cfg *actors.Config) { configure(cfg); cfg.Observe = true })
				load(b, on.Addr, conns, chunk)
				a, err := admin.Start("127.0.0.1:0", on.Server, on.Log())
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(a.Close)
				url := "http://" + a.Addr().String()
				var tOff, tOn time.Duration
				polls := 0
				offRun := func() { tOff += load(b, off, conns, chunk) }
				onRun := func() { polls += whilePolling(b, url, func() { tOn += load(b, on.Addr, conns, chunk) }) }
				b.ResetTimer()
				for i := range rounds {
					if i%2 == 0 {
						offRun()
						onRun()
					} else {
						onRun()
						offRun()
					}
				}
				b.StopTimer()
				n := float64(rounds * chunk)
				b.ReportMetric(n/tOn.Seconds(), "on-ops/s")
				b.ReportMetric(n/tOff.Seconds(), "off-ops/s")
				b.ReportMetric(tOff.Seconds()/tOn.Seconds(), "ratio")
				b.ReportMetric(float64(polls), "polls")
			})
		}
	}
}

// whilePolling runs load while a client fetches /metrics and /tree from the
// admin endpoint at url every 100 ms (and once at the start), and returns how
// many times it fetched both.
func whilePolling(b *testing.B, url string, load func()) int {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	polls := 0
	var pollErr error
	wg.Go(func() { // ends when stop is closed
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		client := http.Client{Timeout: waitTimeout}
		for {
			for _, path := range []string{"/metrics", "/tree"} {
				if pollErr = fetch(&client, url+path); pollErr != nil {
					return
				}
			}
			polls++
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	stopPolling := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopPolling() // also when load ends the benchmark (b.Fatal)
	load()
	stopPolling()
	if pollErr != nil {
		b.Fatalf("polling the admin endpoint: %v", pollErr)
	}
	return polls
}

// fetch GETs url and reads the whole reply.
func fetch(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s, %v", url, resp.Status, err)
	}
	return nil
}
