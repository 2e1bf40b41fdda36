package actors_test

import (
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/chat"
)

// BenchmarkChatFanoutBudget measures what the memory budget costs the path
// it touches most: a room's fan-out, where every line to every member is
// charged to the budget as it is queued and released as it is written. Two
// chat servers in one process, one with the default budget and one with
// none (-memory-budget 0), each a room of 100 members and one sender of
// pipelined 64-byte lines (BenchmarkChatFanout's), A B B A; it reports lines
// delivered per second for both and their ratio (on / off; 1.0: the budget
// costs nothing). Both sides share the machine's load alike, so the ratio
// holds where BenchmarkChatFanout's plain reference (another design) swings.
//
//	go test -run '^$' -bench BenchmarkChatFanoutBudget -benchtime 100000x -count 3 ./actors_test/
func BenchmarkChatFanoutBudget(b *testing.B) {
	const members = 100
	start := func(budget int64) *fanout {
		addr := startBehavior(b, "chat", func(c *actors.Config) {
			c.Log.Level = "info"
			c.Options.Chat = chat.Options{} // no flood control: the fan-out is measured
			c.MemoryBudget = budget
		}).Addr
		return fanoutRoom(b, addr, members)
	}
	on, off := start(actors.DefaultMemoryBudget()), start(0)
	b.ResetTimer()
	var onT, offT time.Duration
	half := max(b.N/2, 1)
	onT += on.run(b, half)
	offT += off.run(b, half)
	offT += off.run(b, half)
	onT += on.run(b, half)
	n := float64(2 * half * members)
	b.ReportMetric(n/onT.Seconds(), "budget-lines/s")
	b.ReportMetric(n/offT.Seconds(), "nobudget-lines/s")
	b.ReportMetric(offT.Seconds()/onT.Seconds(), "ratio")
}
