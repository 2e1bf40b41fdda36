package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"async_server/messages"
)

// TestFloodControl ensures the penalty arithmetic of the defaults: a paste of
// 19 short lines is within the burst, a line of 4 KiB costs 1.25 s, the
// twelfth such line in a row is still held back, the thirteenth is past the
// excess-flood line, and the timer runs down with the clock.
func TestFloodControl(t *testing.T) {
	o := DefaultOptions()
	now := time.Unix(1000, 0)
	var f flood
	for i := range 19 {
		if f.charge(&o, "hello", now) {
			t.Fatalf("short line %d: excess flood", i)
		}
	}
	if h := f.hold(&o, now); h != 0 {
		t.Errorf("after 19 short lines: hold %v; want 0 (within the burst)", h)
	}
	f = flood{}
	long := strings.Repeat("x", 4096)
	for i := 1; i <= 12; i++ {
		if f.charge(&o, long, now) {
			t.Fatalf("long line %d: excess flood; want the 13th", i)
		}
	}
	if h, want := f.hold(&o, now), 12*1250*time.Millisecond-DefaultBurst; h != want {
		t.Errorf("after 12 long lines: hold %v; want %v", h, want)
	}
	if !f.charge(&o, long, now) {
		t.Errorf("13th long line: no excess flood at %v ahead; want one past %v", f.timer.Sub(now), DefaultExcessFlood)
	}
	if h := f.hold(&o, now.Add(time.Minute)); h != 0 {
		t.Errorf("a minute later: hold %v; want 0", h)
	}
	var off flood
	if off.charge(&Options{}, long, now) || off.hold(&Options{}, now) != 0 {
		t.Errorf("zero Options: flood control acted; want none")
	}
}

// TestSessionExcessFlood ensures a session that floods its room has its lines
// held back (the say asks the room to answer later) and, once past the
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
	if len(f.sent) != 1 || !strings.Contains(f.sent[0], "Hold:2.5s") {
		t.Fatalf("sent %.200q; want one say held 2.5 s (7.5 s of penalty, 5 s of burst)", f.sent)
	}
	err := s.Received([]byte(strings.Repeat(long, 7)))
	if !errors.Is(err, errExcessFlood) || !strings.HasSuffix(f.out.String(), "error: excess flood; closing\n") {
		t.Errorf("7 more long lines: %v, wrote %q; want excess flood", err, f.out.String())
	}
	if len(s.queued) != 6 {
		t.Errorf("%d lines queued behind the say; want 6 (the 13th closed the connection)", len(s.queued))
	}
	_ = s.HandleMessage(&messages.ServiceReply{ID: s.awaited(), Body: &sayHeard{}})
}
