package actors_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoCPUBase is another build of async_server for BenchmarkEchoCPU to run
// beside ours.
var echoCPUBase = flag.String("echocpu.base", "", "BenchmarkEchoCPU: another async_server binary to run beside ours (base-ratio)")

// BenchmarkEchoCPU measures what a round trip costs the server in CPU time,
// ours (async_server -behavior echo) against bench/plainecho (a goroutine per
// connection), each its own process, over the same 64-byte round trips as
// BenchmarkEcho. Both sides run at the same time, each with its own clients,
// so that whatever else the machine does falls on both alike: on a shared
// machine round trips per second swing by half from run to run, while CPU per
// round trip, taken side by side, holds within a few percent (the same server
// on both sides: 2.5%). It reports each server's user+system CPU per round
// trip (from /proc/PID/stat) and cpu-ratio, plain's over ours (1.0 is parity;
// above, ours costs less).
//
//	go test -run '^$' -bench BenchmarkEchoCPU -benchtime 100000x -count 3 ./actors_test/
//
// With -echocpu.base BINARY, a third server runs beside them: BINARY (another
// build of async_server, say the commit before a change) with ours'
// arguments, and base-ratio is its CPU per round trip over ours' (above 1.0,
// ours costs less): a change measured side by side with what it changes.
func BenchmarkEchoCPU(b *testing.B) {
	scaleSkip(b)
	ours, plain := cliBuild(b), benchBuild(b, "plainecho")
	for _, conns := range []int{1, 100} {
		b.Run(benchName(conns), func(b *testing.B) {
			echo := func(bin string) *scaleProc {
				return scaleStart(b, bin, "-behavior", "echo", "-log-level", "warn",
					"-log-file", filepath.Join(b.TempDir(), "server.log"), "0")
			}
			sides := []*scaleProc{echo(ours), scaleStart(b, plain, "0")}
			if *echoCPUBase != "" {
				sides = append(sides, echo(*echoCPUBase))
			}
			cpu := make([]time.Duration, len(sides))
			b.ResetTimer()
			var wg sync.WaitGroup
			for i, s := range sides {
				wg.Add(1)
				go func() {
					defer wg.Done()
					before := procCPU(b, s.cmd.Process.Pid)
					echoRoundTrips(b, s.addr, conns, b.N)
					cpu[i] = procCPU(b, s.cmd.Process.Pid) - before
				}()
			}
			wg.Wait()
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64(cpu[0].Microseconds())/n, "ours-cpu-us/rt")
			b.ReportMetric(float64(cpu[1].Microseconds())/n, "plain-cpu-us/rt")
			b.ReportMetric(cpu[1].Seconds()/cpu[0].Seconds(), "cpu-ratio")
			if len(cpu) > 2 {
				b.ReportMetric(float64(cpu[2].Microseconds())/n, "base-cpu-us/rt")
				b.ReportMetric(cpu[2].Seconds()/cpu[0].Seconds(), "base-ratio")
			}
		})
	}
}

// procCPU is the user and system CPU time process pid has used, from
// /proc/PID/stat (utime and stime, in clock ticks of 10 ms).
func procCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Error(err)
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // from the state field on: comm may hold spaces
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Errorf("/proc/%d/stat: %q %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
