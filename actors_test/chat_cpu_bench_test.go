package actors_test

import (
	"syscall"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/chat"
)

// BenchmarkChatFanoutCPU is BenchmarkChatFanout's room of 100 and its sender
// on the chat behavior alone, and reports the process's CPU (user and
// system, from getrusage: the server and the test's clients) per line
// delivered. On a shared machine lines per second swing with the load; CPU
// per line holds within a few percent from run to run, so it shows what a
// change costs the fan-out (docs/benchmarks.md, "Before and after issue 17").
//
//	go test -run '^$' -bench BenchmarkChatFanoutCPU -benchtime 400000x -count 2 ./actors_test/
func BenchmarkChatFanoutCPU(b *testing.B) {
	addr := startBehavior(b, "chat", func(c *actors.Config) {
		c.Log.Level = "info"
		c.Options.Chat = chat.Options{} // no flood control, as BenchmarkChatFanout
	}).Addr
	room := fanoutRoom(b, addr, 100)
	b.ResetTimer()
	cpu := processCPU()
	elapsed := room.run(b, b.N)
	cpu = processCPU() - cpu
	n := float64(b.N * len(room.members))
	b.ReportMetric(n/elapsed.Seconds(), "lines/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/line")
}

// processCPU is the CPU time the process has used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
