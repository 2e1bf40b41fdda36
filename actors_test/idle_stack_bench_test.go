package actors_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"async_server/actors"
)

// BenchmarkIdleStacks breaks down what an idle connection holds inside the
// server's Go runtime, which BenchmarkIdleMemory sees only as RSS: goroutine
// stacks, heap objects and goroutines, per connection, read with
// runtime/metrics after a GC. The server runs in this process (the clients'
// ends are plain sockets with no goroutine, so every new goroutine and stack
// is the server's; their few hundred heap bytes each fall on both sides
// alike): async_server -behavior echo, -behavior resp (each connection
// idle after a PING and a GET: one command run on the connection, one in
// the key space), and the plain goroutine-per-connection
// echo server of BenchmarkEcho. It also reports the runtime's starting stack
// size for new goroutines.
//
//	go test -run '^$' -bench BenchmarkIdleStacks -benchtime 1x ./actors_test/
func BenchmarkIdleStacks(b *testing.B) {
	const n = 2000
	scaleRaiseFileLimit(b, 2*n+scaleFDMargin) // both ends live in this process
	sides := []struct {
		name  string
		start func(b *testing.B) string
	}{
		{"ours", func(b *testing.B) string {
			return startServer(b, func(c *actors.Config) { c.Log.Level = "warn"; c.MaxConns = 2 * n }).Addr
		}},
		{"plain", startPlainEcho},
		{"resp", func(b *testing.B) string {
			return startBehavior(b, "resp", func(c *actors.Config) { c.Log.Level = "warn"; c.MaxConns = 2 * n }).Addr
		}},
	}
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			addr := s.start(b)
			// The open connections, closed below or, if a step fails first,
			// by the cleanup (before the server's: registered after it).
			var conns []net.Conn
			b.Cleanup(func() {
				for _, c := range conns {
					c.Close()
				}
			})
			for range b.N {
				before := idleRuntime(b)
				roundTrip := scaleEchoRoundTrip
				if s.name == "resp" {
					roundTrip = respRoundTrip
				}
				conns = scaleOpen(b, addr, n, roundTrip)
				after := idleRuntime(b)
				for _, c := range conns {
					c.Close()
				}
				conns = nil
				per := func(i int) float64 { return (after[i] - before[i]) / n }
				b.ReportMetric(per(0)/1024, "stack-KiB/conn")
				b.ReportMetric(per(1)/1024, "heap-KiB/conn")
				b.ReportMetric(per(2), "goroutines/conn")
				b.ReportMetric(after[3]/1024, "start-stack-KiB")
			}
		})
	}
}

// idleMetrics are what idleRuntime reads, in its order.
var idleMetrics = []string{
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/heap/objects:bytes",
	"/sched/goroutines:goroutines",
	"/gc/stack/starting-size:bytes",
}

// idleRuntime waits for the goroutine count to hold still for 100 ms (a
// connection's transient runner goroutines exit after runnerIdle; bounded by
// waitTimeout), collects garbage and reads idleMetrics.
func idleRuntime(b *testing.B) []float64 {
	b.Helper()
	last, since := runtime.NumGoroutine(), time.Now()
	waitFor(b, "the goroutine count to settle", func() bool {
		if g := runtime.NumGoroutine(); g != last {
			last, since = g, time.Now()
		}
		return time.Since(since) >= 100*time.Millisecond
	})
	runtime.GC()
	runtime.GC()
	samples := make([]metrics.Sample, len(idleMetrics))
	for i, name := range idleMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	out := make([]float64, len(samples))
	for i, s := range samples {
		out[i] = float64(s.Value.Uint64())
	}
	return out
}

// respPingGet is what respRoundTrip sends, and respPingGetReply its answer.
var respPingGet, respPingGetReply = []byte("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), []byte("+PONG\r\n$-1\r\n")

// respRoundTrip sends a PING and a GET on c, pipelined, and reads their replies.
func respRoundTrip(c net.Conn) error {
	if _, err := c.Write(respPingGet); err != nil {
		return err
	}
	buf := make([]byte, len(respPingGetReply))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if !bytes.Equal(buf, respPingGetReply) {
		return fmt.Errorf("resp replied %q", buf)
	}
	return nil
}
