package actors_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkEchoProcs runs the same 64-byte round trips as BenchmarkEcho (1 and
// 100 connections) against three servers, each its own process: async_server
// -behavior echo, bench/plainecho (a goroutine per connection) and
// bench/gnetecho (gnet's event loops). gnet cannot run inside the test binary
// (it is not ours to check for leaks, and it keeps global state), so here ours
// and plain run as processes too, alike. Sides run A B C C B A, each for half
// of b.N. ratio is ours / plain in round trips per second, ratio-gnet ours /
// gnet (1.0 is parity).
//
//	go test -run '^$' -bench BenchmarkEchoProcs -benchtime 200000x ./actors_test/
func BenchmarkEchoProcs(b *testing.B) {
	scaleSkip(b)
	ours, plain, gnet := cliBuild(b), benchBuild(b, "plainecho"), benchBuild(b, "gnetecho")
	for _, conns := range []int{1, 100} {
		b.Run(benchName(conns), func(b *testing.B) {
			sides := []struct{ name, addr string }{
				{"ours", scaleStart(b, ours, "-behavior", "echo", "-log-level", "warn",
					"-log-file", filepath.Join(b.TempDir(), "server.log"), "0").addr},
				{"plain", scaleStart(b, plain, "0").addr},
				{"gnet", scaleStart(b, gnet, "0").addr},
			}
			half := max(b.N/2, 1)
			took := map[string]time.Duration{}
			b.ResetTimer()
			order := append(sides[:len(sides):len(sides)], sides...)
			slices.Reverse(order[len(sides):]) // the second pass in reverse
			for _, s := range order {
				took[s.name] += echoRoundTrips(b, s.addr, conns, half)
			}
			b.StopTimer()
			n := float64(2 * half)
			for _, s := range sides {
				b.ReportMetric(n/took[s.name].Seconds(), s.name+"-rt/s")
			}
			b.ReportMetric(took["plain"].Seconds()/took["ours"].Seconds(), "ratio")
			b.ReportMetric(took["gnet"].Seconds()/took["ours"].Seconds(), "ratio-gnet")
		})
	}
}
