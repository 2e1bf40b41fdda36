package actors

import "testing"

// BenchmarkBudgetCharge measures what the memory budget adds to every
// message queued for a connection and every change in what a behavior
// holds: a charge and its release (outbox.MessagePosted, outbox.taken), on
// as many goroutines as GOMAXPROCS, each its own connection, one shared
// total, as a room's fan-out charges its members from one actor while they
// release from theirs.
//
//	go test -run '^$' -bench BenchmarkBudgetCharge ./actors/
func BenchmarkBudgetCharge(b *testing.B) {
	bud := newBudget(1 << 40)
	b.RunParallel(func(pb *testing.PB) {
		l := &link{env: &connEnv{budget: bud}}
		bud.join(l)
		for pb.Next() {
			l.charge(64)
			l.charge(-64)
		}
	})
}
