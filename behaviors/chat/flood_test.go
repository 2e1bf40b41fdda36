package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"async_server/messages"
)

// TestFloodControl ensures the penalty arithmetic of the defaults: a paste of
// 19 short lines is within the burst and the 20th waits; a line
// of 4 KiB costs 1.25 s, the twelfth such line in a row is still under the
// excess-flood line, the thirteenth is past it, and the timers run down with
// the clock.
func TestFloodControl(t *testing.T) {
	o := DefaultOptions()
	now := time.Unix(1000, 0)
	var f flood
	for i := 1; i <= 19; i++ {
		if f.charge(&o, "hello", now) {
			t.Fatalf("short line %d: excess flood", i)
		}
		if h := hold(f.send(&o, "hello", now), now); h != 0 {
			t.Fatalf("short line %d: hold %v; want 0 (within the burst)", i, h)
		}
	}
	if h, want := hold(f.send(&o, "hello", now), now), 20*o.cost("hello")-DefaultBurst; h != want {
		t.Errorf("20th short line: hold %v; want %v", h, want)
	}
	f = flood{}
	long := strings.Repeat("x", 4096)
	var due time.Time
	for i := 1; i <= 12; i++ {
		if f.charge(&o, long, now) {
			t.Fatalf("long line %d: excess flood; want the 13th", i)
		}
		due = f.send(&o, long, now)
	}
	if h, want := hold(due, now), 12*1250*time.Millisecond-DefaultBurst; h != want {
		t.Errorf("after 12 long lines: hold %v; want %v", h, want)
	}
	if !f.charge(&o, long, now) {
		t.Errorf("13th long line: no excess flood at %v ahead; want one past %v", f.timer.Sub(now), DefaultExcessFlood)
	}
	later := now.Add(time.Minute)
	if f.charge(&o, long, later) || hold(f.send(&o, long, later), later) != 0 {
		t.Errorf("a minute later: a long line is held or past the excess-flood line; want neither")
	}
	var off flood
	if off.charge(&Options{}, long, now) || hold(off.send(&Options{}, long, now), now) != 0 {
		t.Errorf("zero Options: flood control acted; want none")
	}
}

// TestSessionExcessFlood ensures a session that floods its room sends the
// lines within the burst at once, the next one alone and held (its say asks
// the room to send it on later), the rest after it, and, once past the
// excess-flood line, is closed with an error line saying so.
func TestSessionExcessFlood(t *testing.T) {
	f := &fakeConn{}
	s := New(DefaultOptions()).Factory(f).(*session)
	now := time.Unix(1000, 0)
	s.now = func() time.Time { return now }
	s.nick, s.room, s.roomPID = "bob", "lobby", s.rooms // in a room, nothing awaited
	long := strings.Repeat("x", 4096) + "\n"
	if err := s.Received([]byte(strings.Repeat(long, 6))); err != nil {
		t.Fatal(err)
	}
	x := long[:4096]
	if len(f.sent) != 2 || strings.Count(f.sent[0], x) != 4 || !strings.HasSuffix(f.sent[0], "Hold:0s}") ||
		strings.Count(f.sent[1], x) != 1 || !strings.HasSuffix(f.sent[1], "Hold:1.25s}") {
		t.Fatalf("sent %.200q; want a say of 4 lines at once (5 s of penalty: the burst), then one of 1 held 1.25 s", f.sent)
	}
	err := s.Received([]byte(strings.Repeat(long, 7)))
	if !errors.Is(err, errExcessFlood) || !strings.HasSuffix(f.out.String(), "error: excess flood; closing\n") {
		t.Errorf("7 more long lines: %v, wrote %q; want excess flood", err, f.out.String())
	}
	if len(s.queued) != 7 {
		t.Errorf("%d lines queued behind the held say; want 7 (the 6th, and 6 more: the 13th closed the connection)", len(s.queued))
	}
	_ = s.HandleMessage(&messages.ServiceReply{ID: s.awaited(), Body: &sayHeard{}})
}
