package chat

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/messages"
)

// fakeConn records what a session writes, sends and requests; no sockets.
type fakeConn struct {
	out  bytes.Buffer
	sent []string // "PID-id: message", requests included
	ids  uint64
	held int // the last Hold
}

var _ protocol.Conn = (*fakeConn)(nil)

func (f *fakeConn) Write(p []byte) (int, error) { return f.out.Write(p) }
func (f *fakeConn) SetReadDeadline(time.Time)   {}
func (f *fakeConn) Close()                      {}
func (f *fakeConn) SetIdle(bool)                {}
func (f *fakeConn) SuspendIdleTimeout(bool)     {}
func (f *fakeConn) Unread([]byte)               {}
func (f *fakeConn) Hold(n int)                  { f.held = n }
func (f *fakeConn) Service(name string) *actor.PID {
	return actor.NewPID("test", name)
}
func (f *fakeConn) Send(pid *actor.PID, msg any) {
	f.sent = append(f.sent, fmt.Sprintf("%s: %+v", pid.Id, msg))
}
func (f *fakeConn) Request(pid *actor.PID, msg any) uint64 {
	f.ids++
	f.Send(pid, msg)
	return f.ids
}
func (f *fakeConn) Watch(*actor.PID)                      {}
func (f *fakeConn) ID() string                            { return "conn-7" }
func (f *fakeConn) RemoteAddr() net.Addr                  { return &net.TCPAddr{} }
func (f *fakeConn) LocalAddr() net.Addr                   { return &net.TCPAddr{} }
func (f *fakeConn) Log() *logrus.Entry                    { return logrus.NewEntry(logrus.New()) }
func (f *fakeConn) LogFailure(logrus.Level) *logrus.Entry { return f.Log() }

// awaited is the oldest unanswered request: to the rooms service, or else
// the first say to the room; 0: none.
func (c *session) awaited() uint64 {
	if c.waiting != 0 || len(c.says) == 0 {
		return c.waiting
	}
	return c.says[0]
}

// TestSessionSplitInput ensures a session handles its input the same however
// it is split into reads: commands wait for the answer to the one before, and
// the lines behind them run after it, in order, with the lines of one read
// going to the room together.
func TestSessionSplitInput(t *testing.T) {
	input := []byte("/nick bob\r\n/join lobby\nhi\nthere\n/who\n")
	room := actor.NewPID("test", "lobby-$1")
	// replies answers each request in order, as the rooms service would.
	replies := []any{&registered{Nick: "guest-7"}, &nickSet{Nick: "bob"},
		&roomJoined{Room: "lobby", PID: room, Members: 2}, &sayHeard{}, &memberList{Room: "lobby", Nicks: []string{"amy", "bob"}}}
	wantOut := "* welcome, you are guest-7; " + chatHelp + "\n* you are now bob\n* you joined lobby (2 members)\n* in lobby: amy, bob\n"
	for split := 0; split <= len(input); split++ {
		f := &fakeConn{}
		s := New(Options{}).Factory(f).(*session)
		if err := s.Started(); err != nil {
			t.Fatal(err)
		}
		for _, part := range [][]byte{input[:split], input[split:]} {
			if err := s.Received(part); err != nil {
				t.Fatalf("split %d: Received: %v", split, err)
			}
		}
		for i := 0; i < len(replies) && s.awaited() != 0; i++ {
			if err := s.HandleMessage(&messages.ServiceReply{ID: s.awaited(), Body: replies[i]}); err != nil {
				t.Fatalf("split %d: HandleMessage: %v", split, err)
			}
		}
		if got := f.out.String(); got != wantOut {
			t.Errorf("split %d: wrote %q; want %q", split, got, wantOut)
		}
		want := []string{"rooms: &{Nick:guest-7 Room:}", "rooms: &{Nick:bob}", "rooms: &{Room:lobby}",
			"lobby-$1: &{Lines:[hi there] Hold:0s}", "rooms: &{}"}
		if !reflect.DeepEqual(f.sent, want) {
			t.Errorf("split %d: sent %q; want %q", split, f.sent, want)
		}
	}
}

// TestSessionFloodOfEmptyLines ensures input queued behind an unanswered
// request is bounded however it is split into lines, even fed past the gate:
// a line costs its slot in the queue besides its bytes, and empty lines,
// which do nothing, are not queued at all.
func TestSessionFloodOfEmptyLines(t *testing.T) {
	for _, line := range []string{"\n", "\r\n", "x\n", strings.Repeat("y", 1000) + "\n"} {
		s := New(Options{}).Factory(&fakeConn{}).(*session)
		if err := s.Started(); err != nil { // waits for the rooms service's answer
			t.Fatal(err)
		}
		chunk := []byte(strings.Repeat(line, 4096/len(line)+1))
		var err error
		sent := 0
		for err == nil && sent < 4<<20 {
			err = s.Received(chunk)
			sent += len(chunk)
		}
		if empty := strings.TrimSpace(line) == ""; empty != (err == nil) || !empty && !errors.Is(err, errFlooding) || len(s.queued) > 0 && empty {
			t.Errorf("lines %q: after %d bytes got %v, %d lines queued; want errFlooding, or nothing queued for empty lines", line, sent, err, len(s.queued))
		}
		if len(s.queued) > maxQueued/32 {
			t.Errorf("lines of %d bytes: %d lines queued; want at most %d", len(line), len(s.queued), maxQueued/32)
		}
	}
}

// TestSessionGatedNeverFloods ensures a client read only while the session
// is ready for input (ReadyForInput: the connection stops reading at the
// gate) is never closed for flooding, whatever its lines: one 16 KiB read of
// two-byte lines costs 264 KiB queued, which took it past the old 256 KiB
// limit at once (a trusted paste, with flood control off).
func TestSessionGatedNeverFloods(t *testing.T) {
	for _, line := range []string{"x\n", "\n", "hello there\n", strings.Repeat("y", 4095) + "\n"} {
		s := New(Options{}).Factory(&fakeConn{}).(*session)
		if err := s.Started(); err != nil { // waits for the rooms service's answer
			t.Fatal(err)
		}
		chunk := []byte(strings.Repeat(line, 16<<10/len(line)))
		for reads := 0; s.ReadyForInput() && reads < 1000; reads++ {
			if err := s.Received(chunk); err != nil {
				t.Fatalf("lines of %d bytes: read %d: %v; want none (the gate was open)", len(line), reads+1, err)
			}
		}
	}
}

// TestSessionPipelinedSays ensures a sender's lines go to its room without
// waiting for the room's answer to the lines before them, up to maxSays
// batches unanswered; the next wait for an answer, and a command waits for
// every say before it to be answered.
func TestSessionPipelinedSays(t *testing.T) {
	f := &fakeConn{}
	s := New(Options{}).Factory(f).(*session)
	s.nick, s.room, s.roomPID = "bob", "lobby", actor.NewPID("test", "lobby-$1") // nothing awaited
	lines := make([]string, maxSays+1)                                           // one more than may go unanswered
	for i := range lines {
		lines[i] = fmt.Sprintf("l%d", i)
	}
	for _, in := range append(slices.Clone(lines), "/who", "e") {
		if err := s.Received([]byte(in + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	say := func(line string) string { return "lobby-$1: &{Lines:[" + line + "] Hold:0s}" }
	var want []string
	for _, l := range lines[:maxSays] {
		want = append(want, say(l))
	}
	if !reflect.DeepEqual(f.sent, want) {
		t.Fatalf("%d lines, each in its own read, no answer: sent %q; want %q", len(lines), f.sent, want)
	}
	answer := func(id uint64) {
		t.Helper()
		if err := s.HandleMessage(&messages.ServiceReply{ID: id, Body: &sayHeard{}}); err != nil {
			t.Fatal(err)
		}
	}
	answer(1) // the last line goes; /who waits for it
	if want = append(want, say(lines[maxSays])); !reflect.DeepEqual(f.sent, want) {
		t.Fatalf("first say answered: sent %q; want %q", f.sent, want)
	}
	for id := uint64(2); id <= maxSays; id++ {
		answer(id)
	}
	if !reflect.DeepEqual(f.sent, want) {
		t.Fatalf("the last say unanswered: sent %q; want %q (/who waits for it)", f.sent, want)
	}
	answer(maxSays + 1) // /who goes; e waits for its answer
	if want = append(want, "rooms: &{}"); !reflect.DeepEqual(f.sent, want) {
		t.Fatalf("every say answered: sent %q; want %q", f.sent, want)
	}
}

// TestSessionLineSaidNoCopy ensures a member writes the lines its room sends
// as they are, with no copy of its own: a room's batch of lines (up to a
// read of its sender's, 16 KiB) goes to every member, and a copy per member
// was most of the chat fan-out's allocation (BenchmarkChatFanout: 3 GB for
// 400 000 lines to 100 members, where the test's own clients made 25 MB).
func TestSessionLineSaidNoCopy(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	f := &fakeConn{}
	f.out.Grow(32 << 10)
	s := New(Options{}).Factory(f).(*session)
	msg := &lineSaid{Line: bytes.Repeat([]byte("[lobby] amy: hi\n"), 1<<10)}
	allocs := testing.AllocsPerRun(100, func() {
		f.out.Reset()
		if err := s.HandleMessage(msg); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || f.out.Len() != len(msg.Line) {
		t.Errorf("a lineSaid of %d bytes: %v allocations, %d bytes written; want 0, %d", len(msg.Line), allocs, f.out.Len(), len(msg.Line))
	}
}
