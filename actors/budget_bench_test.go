package actors

import "testing"

// BenchmarkBudgetCharge measures what the memory budget adds to every
// message queued for a connection: its charge and its release
// (outbox.MessagePosted, outbox.taken) of a 64-byte message, on as many
// goroutines as GOMAXPROCS, each its own connection, one shared total, as a
// room's fan-out charges its members from one actor while they release
// from theirs.
//
//	go test -run '^$' -bench BenchmarkBudgetCharge ./actors/
func BenchmarkBudgetCharge(b *testing.B) {
	bud := newBudget(1 << 40)
	b.RunParallel(func(pb *testing.PB) {
		l := &link{env: &connEnv{budget: bud}}
		l.outbox = outbox{link: l}
		bud.join(l)
		var msg any = &sizedMessage{n: 64}
		for pb.Next() {
			l.outbox.MessagePosted(msg)
			l.outbox.taken(msg)
		}
	})
}

// sizedMessage is a message that counts n bytes (sizeOf).
type sizedMessage struct{ n int }

func (m *sizedMessage) Size() int { return m.n }
