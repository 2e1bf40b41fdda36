package actors_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
)

// BenchmarkHTTP serves the same small page through the http behavior and through
// a plain net/http.Server, side by side in one run, to keep-alive clients on 1
// and 100 connections. Each side answers b.N requests, in two halves run A B B A
// so that drift in the machine's speed falls on both alike; it reports
// requests/s and p99 latency for both, and the ratio of requests/s (ours /
// net/http).
//
//	go test -run '^$' -bench BenchmarkHTTP -benchtime 200000x ./actors_test/
func BenchmarkHTTP(b *testing.B) {
	page := strings.Repeat("async_server benchmark page\n", 36) // 1 KiB: a Content-Length response
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, page)
	})
	for _, conns := range []int{1, 100} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			ours := startServer(b, func(cfg *actors.Config) {
				cfg.Protocol = web.New(handler, web.DefaultOptions())
				cfg.Log.Level = "warn"
			})
			ref := startNetHTTP(b, handler)
			half := max(b.N/2, 1)
			var o, r loadResult
			b.ResetTimer()
			o.add(loadHTTP(b, ours.Addr, conns, half, len(page)))
			r.add(loadHTTP(b, ref, conns, half, len(page)))
			r.add(loadHTTP(b, ref, conns, half, len(page)))
			o.add(loadHTTP(b, ours.Addr, conns, half, len(page)))
			b.StopTimer()
			b.ReportMetric(o.rate(), "ours-req/s")
			b.ReportMetric(r.rate(), "nethttp-req/s")
			b.ReportMetric(o.rate()/r.rate(), "ratio")
			b.ReportMetric(float64(o.p99().Microseconds()), "ours-p99-µs")
			b.ReportMetric(float64(r.p99().Microseconds()), "nethttp-p99-µs")
		})
	}
}

// startNetHTTP serves h with a plain net/http.Server on 127.0.0.1:0 until b ends.
func startNetHTTP(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close(); <-done })
	return ln.Addr().String()
}

// loadResult is one side's measurement, over one or more load runs.
type loadResult struct {
	latencies []time.Duration // of every request
	elapsed   time.Duration   // the runs' wall time, added up
}

func (l *loadResult) add(run loadResult) {
	l.latencies = append(l.latencies, run.latencies...)
	l.elapsed += run.elapsed
}

// rate is requests per second.
func (l *loadResult) rate() float64 { return float64(len(l.latencies)) / l.elapsed.Seconds() }

// p99 is the 99th percentile latency of one request.
func (l *loadResult) p99() time.Duration {
	all := slices.Clone(l.latencies)
	slices.Sort(all)
	return all[len(all)*99/100]
}

// loadHTTP sends total GET requests to addr over conns keep-alive connections,
// one request in flight on each, and measures them.
func loadHTTP(b *testing.B, addr string, conns, total, bodyLen int) loadResult {
	request := []byte("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	for i := range conns {
		n := total / conns
		if i < total%conns {
			n++
		}
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			lat[i] = make([]time.Duration, 0, n)
			for range n {
				t0 := time.Now()
				if _, err := c.Write(request); err != nil {
					errs <- err
					return
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs <- err
					return
				}
				m, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || m != int64(bodyLen) || resp.StatusCode != 200 {
					errs <- fmt.Errorf("response %d, %d body bytes: %v", resp.StatusCode, m, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatalf("load on %s: %v", addr, err)
	}
	return loadResult{latencies: slices.Concat(lat...), elapsed: elapsed}
}
