package actors

import (
	"net"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// TestIdleListOrder ensures the idle list gives the connection idle longest
// first, forgets a connection that became busy or ended, and skips one whose
// idleSince was reset behind its back (a restart).
func TestIdleListOrder(t *testing.T) {
	var q idleList
	l := make([]*link, 5)
	for i := range l {
		l[i] = &link{id: string(rune('a' + i))}
		q.idle(l[i], true)
	}
	q.idle(l[0], false)     // busy: out
	q.idle(l[0], true)      // idle again: now the newest
	q.remove(l[2])          // ended
	l[1].idleSince.Store(0) // reset without SetIdle: still listed, skipped
	q.idle(l[3], true)      // no change: keeps its place
	want := []*link{l[3], l[4], l[0]}
	for i, w := range want {
		if got := q.oldest(); got != w {
			t.Fatalf("oldest #%d = %v; want %s", i, got, w.id)
		}
	}
	if got := q.oldest(); got != nil {
		t.Fatalf("oldest of an empty list = %s; want nil", got.id)
	}
	if q.front != nil || q.back != nil {
		t.Errorf("empty list has front %v, back %v", q.front, q.back)
	}
	q.idle(l[1], true) // reset to busy by the restart: idle again lists it
	if got := q.oldest(); got != l[1] {
		t.Errorf("oldest = %v; want %s", got, l[1].id)
	}
}

// TestEvictFreesSlotAtOnce ensures an evicted connection's slot is free as
// soon as it is evicted, its socket then holding a closing slot until it is
// closed; and that with every closing slot taken an eviction keeps its slot
// until the close, so open sockets stay under twice the limit.
func TestEvictFreesSlotAtOnce(t *testing.T) {
	cfg := DefaultConfig()
	env := &connEnv{cfg: &cfg, closing: make(chan struct{}, 1)}
	slots := make(chan struct{}, 2)
	newEvictable := func() *link {
		a, b := net.Pipe()
		t.Cleanup(func() { a.Close(); b.Close() })
		takeSlot(slots)
		return newLink(a, actor.NewPID("nonhost", "conns/conn-1"), env, slots)
	}
	first, second := newEvictable(), newEvictable()

	first.evict()
	if len(slots) != 1 || len(env.closing) != 1 {
		t.Fatalf("after an eviction: %d slots, %d closing slots taken; want 1, 1", len(slots), len(env.closing))
	}
	second.evict() // no closing slot left: keeps its own
	if len(slots) != 1 || len(env.closing) != 1 {
		t.Fatalf("after an eviction with no closing slot: %d slots, %d closing taken; want 1, 1", len(slots), len(env.closing))
	}
	first.freeSlot() // its socket closed
	second.freeSlot()
	if len(slots) != 0 || len(env.closing) != 0 {
		t.Errorf("after both closes: %d slots, %d closing slots taken; want 0, 0", len(slots), len(env.closing))
	}
	first.freeSlot() // twice: nothing more
	if len(slots) != 0 || len(env.closing) != 0 {
		t.Errorf("a second free freed more")
	}
}

// TestIdleWakesHeldClient ensures a queued client held at the limit when no
// connection is idle is not forgotten: the next connection to turn idle wakes
// the connection supervisor (once), and nothing wakes it once the client has
// had a slot some other way.
func TestIdleWakesHeldClient(t *testing.T) {
	var q idleList
	wakes := 0
	q.setWake(func() { wakes++ })
	a, b := &link{id: "a"}, &link{id: "b"}

	q.hold(true)
	if got := q.oldestOrWait(); got != nil {
		t.Fatalf("oldestOrWait with none idle = %s; want nil", got.id)
	}
	q.idle(a, true)
	if wakes != 1 {
		t.Fatalf("a connection turning idle while a client is held woke %d times; want 1", wakes)
	}
	q.idle(b, true)
	if wakes != 1 {
		t.Fatalf("a second idle connection woke again (%d); one wake per wait", wakes)
	}
	if got := q.oldestOrWait(); got != a {
		t.Fatalf("oldestOrWait after the wake = %v; want a", got)
	}

	q.hold(false) // the client had its slot
	q.hold(true)
	q.idle(b, false)
	if got := q.oldestOrWait(); got != nil {
		t.Fatalf("oldestOrWait = %s; want nil", got.id)
	}
	q.hold(false) // a slot freed by a close: the client is served
	q.idle(b, true)
	if wakes != 1 {
		t.Errorf("woke %d times after the held client had its slot; want 1", wakes)
	}
	if got := q.oldestOrWait(); got != nil {
		t.Errorf("oldestOrWait with no client held = %s; want nil (no one to make room for)", got.id)
	}
}

// TestIdleListLeavesOutUnread ensures a connection with unread input is
// passed over for the next one and left out, looked at no more until it is
// listed again (relist, or idle after busy); and that with every one passed
// over there is none, a held client then waiting for the next to be listed.
func TestIdleListLeavesOutUnread(t *testing.T) {
	unread := map[*link]bool{}
	looked := 0
	q := idleList{unread: func(l *link) bool { looked++; return unread[l] }}
	a, b, c := &link{id: "a"}, &link{id: "b"}, &link{id: "c"}
	for _, l := range []*link{a, b, c} {
		q.idle(l, true)
	}
	unread[a], unread[b] = true, true
	if got := q.oldest(); got != c {
		t.Fatalf("oldest = %v; want c (a and b have unread input)", got)
	}
	looked = 0
	if got := q.oldest(); got != nil || looked != 0 {
		t.Fatalf("oldest = %v after %d looks; want nil after none (a and b left out)", got, looked)
	}
	q.idle(a, true) // no change: it still counts idle, left out
	q.relist(a)     // its TLS handshake done
	q.idle(b, false)
	q.idle(b, true) // its input delivered, and idle again
	q.hold(true)
	wakes := 0
	q.setWake(func() { wakes++ })
	if got := q.oldestOrWait(); got != nil {
		t.Fatalf("oldestOrWait = %s; want nil (a and b have unread input)", got.id)
	}
	if looked != 2 || !q.waiting {
		t.Fatalf("looked %d times, waiting %v; want 2, true", looked, q.waiting)
	}
	unread[a] = false
	q.relist(a)
	if wakes != 1 {
		t.Fatalf("relist woke the supervisor %d times; want 1", wakes)
	}
	if got := q.oldestOrWait(); got != a {
		t.Fatalf("oldestOrWait = %v; want a", got)
	}
}
