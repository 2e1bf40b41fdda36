package chat

import (
	"errors"
	"strings"
	"testing"

	"async_server/messages"
	"async_server/supervision"
)

// TestSessionTooLargeAnswersFirst ensures a line over maxChatLine closes the
// connection only once the lines before it are answered, in order, as the
// peer's EOF does: the replies the peer is owed, then the error line, then
// TooLarge; and that the session takes no input meanwhile.
func TestSessionTooLargeAnswersFirst(t *testing.T) {
	long := strings.Repeat("x", 5000) + "\n"
	welcome := "* welcome, you are guest-7; " + chatHelp + "\n"
	joined := "* you joined r (1 member)\n"
	tooLong := "error: " + errLineTooLong.Error() + "; closing\n"
	for _, tc := range []struct {
		name    string
		input   string
		replies []any
		want    string
	}{
		{"join", "/join r\n" + long, []any{&roomJoined{Room: "r", Members: 1}}, welcome + joined + tooLong},
		{"join who", "/join r\n/who\n" + long,
			[]any{&roomJoined{Room: "r", Members: 1}, &memberList{Room: "r", Nicks: []string{"guest-7"}}},
			welcome + joined + "* in r: guest-7\n" + tooLong},
		{"nothing owed", long, nil, welcome + tooLong},
	} {
		f := &fakeConn{}
		s := New(Options{}).Factory(f).(*session)
		if err := s.Started(); err != nil {
			t.Fatal(err)
		}
		if err := s.HandleMessage(&messages.ServiceReply{ID: s.awaited(), Body: &registered{Nick: "guest-7"}}); err != nil {
			t.Fatal(err)
		}
		err := s.Received([]byte(tc.input))
		for i := 0; err == nil && i < len(tc.replies); i++ {
			if s.ReadyForInput() {
				t.Errorf("%s: ready for input while closing", tc.name)
			}
			if err = s.Received([]byte("/rooms\n")); err != nil { // a read in flight: dropped
				break
			}
			err = s.HandleMessage(&messages.ServiceReply{ID: s.awaited(), Body: tc.replies[i]})
		}
		var se *supervision.Error
		if !errors.As(err, &se) || se.Category != supervision.TooLarge {
			t.Errorf("%s: ended with %v; want TooLarge", tc.name, err)
		}
		if got := f.out.String(); got != tc.want {
			t.Errorf("%s: wrote %q; want %q", tc.name, got, tc.want)
		}
		if s.awaited() != 0 {
			t.Errorf("%s: request %d unanswered at the close", tc.name, s.awaited())
		}
	}
}
