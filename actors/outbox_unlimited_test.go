package actors

import (
	"testing"

	"async_server/messages"
)

// unlimitedBody is a service reply's body of n bytes that says whether it
// is Unlimited.
type unlimitedBody struct {
	n   int
	all bool
}

func (b *unlimitedBody) Size() int       { return b.n }
func (b *unlimitedBody) Unlimited() bool { return b.all }

// TestOutboxUnlimitedReply ensures a reply that says it is Unlimited passes
// the hard limit without closing the connection, counts for the memory
// budget while queued and not once taken, and does not make a later
// message pass the limit; one that does not say so still closes it.
func TestOutboxUnlimitedReply(t *testing.T) {
	bud := newBudget(1 << 40)
	l := &link{env: &connEnv{budget: bud}}
	l.outbox = outbox{link: l, hard: 1 << 20}
	bud.join(l)
	big := &messages.ServiceReply{Body: &unlimitedBody{n: 4<<20 + 100, all: true}}
	l.outbox.MessagePosted(big)
	if l.outbox.over.Load() {
		t.Fatal("an Unlimited reply past the hard limit closed the connection")
	}
	if c := l.charged.Load(); c < 4<<20 {
		t.Fatalf("charged %d bytes with a 4 MiB reply queued; want at least 4 MiB", c)
	}
	small := &sizedMessage{n: 1000}
	l.outbox.MessagePosted(small)
	if l.outbox.over.Load() {
		t.Fatal("a small message after an Unlimited reply closed the connection")
	}
	l.outbox.taken(big)
	l.outbox.taken(small)
	if c, u := l.charged.Load(), l.outbox.unlimited.Load(); c != 0 || u != 0 {
		t.Fatalf("once all is taken: charged %d, unlimited %d KiB; want 0, 0", c, u)
	}
	o := outbox{hard: 1 << 20} // no link: overflow only notes it
	o.MessagePosted(&messages.ServiceReply{Body: &unlimitedBody{n: 4 << 20}})
	if !o.over.Load() {
		t.Fatal("a reply past the hard limit that is not Unlimited left the connection open")
	}
}
