package actors_test

import (
	"fmt"
	"strings"
	"testing"

	"async_server/behaviors/chat"
)

// This file holds what the chat tests share: a client that has taken a nick
// and joined a room, and a look into the rooms service's state.

// chatGreeting is the start of the welcome line every chat connection gets.
const chatGreeting = "* welcome, you are guest-"

// dialChat connects a chat client, reads its welcome line and takes nick.
func (s *testServer) dialChat(t testing.TB, nick string) *lineClient {
	t.Helper()
	c := s.dialLines(t)
	if got := readLine(t, c, c.r); !strings.HasPrefix(got, chatGreeting) {
		t.Fatalf("read %q; want the welcome line %q...", got, chatGreeting)
	}
	c.roundTrip(t, "/nick "+nick, "* you are now "+nick)
	return c
}

// joinChat connects a chat client as nick and joins room, where members are
// already (the reply counts them).
func (s *testServer) joinChat(t testing.TB, nick, room string, members int) *lineClient {
	t.Helper()
	c := s.dialChat(t, nick)
	c.roundTrip(t, "/join "+room, fmt.Sprintf("* you joined %s (%d member%s)", room, members+1, pluralS(members+1)))
	return c
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// chatStats asks the rooms service for its state.
func (s *testServer) chatStats(t testing.TB) chat.Stats {
	t.Helper()
	r, err := s.Ask("rooms", &chat.GetStats{}, waitTimeout)
	if err != nil {
		t.Fatalf("Ask rooms GetChatStats: %v", err)
	}
	st, ok := r.(*chat.Stats)
	if !ok {
		t.Fatalf("Ask rooms GetChatStats = %T; want *chat.Stats", r)
	}
	return *st
}

// waitChatStats waits until the rooms service's state is want.
func (s *testServer) waitChatStats(t testing.TB, want chat.Stats) {
	t.Helper()
	var got chat.Stats
	waitFor(t, fmt.Sprintf("chat stats %+v", want), func() bool {
		got = s.chatStats(t)
		return got == want
	})
}
