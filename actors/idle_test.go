package actors

import "testing"

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
