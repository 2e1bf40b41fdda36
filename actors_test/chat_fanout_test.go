package actors_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/behaviors/chat"
)

// TestChatFanout ensures that in a room of 50 members who all talk at once,
// every line reaches every other member exactly once (never its sender), and
// each sender's lines arrive in the order they were sent.
func TestChatFanout(t *testing.T) {
	const members, lines = 50, 20
	s := startBehavior(t, "chat", nil)
	clients := make([]*lineClient, members)
	for i := range clients {
		clients[i] = s.joinChat(t, fmt.Sprintf("c%02d", i), "lobby", i)
	}
	s.waitChatStats(t, chat.Stats{Conns: members, Rooms: 1, Members: members, Actors: 1})

	errs := make(chan error, members)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- talkAndListen(c, i, members, lines)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// talkAndListen sends client me's lines, then reads until it has every other
// member's, checking each sender's sequence, and that no line comes twice.
// Join notices are skipped.
func talkAndListen(c *lineClient, me, members, lines int) error {
	var out strings.Builder
	for j := range lines {
		fmt.Fprintf(&out, "m %d %d\n", me, j)
	}
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := c.Write([]byte(out.String())); err != nil {
		return fmt.Errorf("c%02d: write: %v", me, err)
	}
	next := make([]int, members) // the next line expected from each sender
	for got := 0; got < (members-1)*lines; {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("c%02d: after %d lines: %v", me, got, err)
		}
		if strings.HasPrefix(line, "* ") {
			continue
		}
		var from, from2, seq int
		if _, err := fmt.Sscanf(line, "[lobby] c%d: m %d %d\n", &from, &from2, &seq); err != nil || from != from2 {
			return fmt.Errorf("c%02d: unexpected line %q", me, line)
		}
		if from == me || seq != next[from] {
			return fmt.Errorf("c%02d: got %q; want line %d from c%02d, never its own", me, line, next[from], from)
		}
		next[from]++
		got++
	}
	// Every line is in: anything but notices before /who's answer is a duplicate.
	if _, err := c.Write([]byte("/who\n")); err != nil {
		return fmt.Errorf("c%02d: write: %v", me, err)
	}
	for {
		line, err := c.r.ReadString('\n')
		switch {
		case err != nil:
			return fmt.Errorf("c%02d: waiting for /who: %v", me, err)
		case strings.HasPrefix(line, "* in lobby: "):
			return nil
		case !strings.HasPrefix(line, "* "):
			return fmt.Errorf("c%02d: extra line %q", me, line)
		}
	}
}
