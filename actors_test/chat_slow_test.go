package actors_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/chat"
)

// TestChatSlowConsumer ensures a member that never reads, while others keep
// chatting, is closed once what is queued for it passes the output limit, with
// a log line naming its connection and remote address, and that the others
// lose nothing: every line reaches the member who reads, in order.
func TestChatSlowConsumer(t *testing.T) {
	s := startBehavior(t, "chat", func(c *actors.Config) {
		c.OutputLimit = 256 << 10
		// No flood control: at its default rate alice would take two minutes to
		// fill a member's 256 KiB; a member that never reads is what is tested.
		c.Options.Chat = chat.Options{}
	})
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")

	slow := s.dial(t)
	greeting := make([]byte, 256)
	n, err := slow.Read(greeting)
	var id int
	if _, serr := fmt.Sscanf(string(greeting[:n]), chatGreeting+"%d;", &id); err != nil || serr != nil {
		t.Fatalf("slow client's greeting %q: %v %v", greeting[:n], err, serr)
	}
	if _, err := slow.Write([]byte("/join lobby\n")); err != nil {
		t.Fatal(err)
	}
	alice.expect(t, fmt.Sprintf("* guest-%d joined lobby", id))
	bob.expect(t, fmt.Sprintf("* guest-%d joined lobby", id))

	// alice talks, bob reads, the slow member never does. alice keeps within
	// 20 lines of what bob has read, as people in a conversation do: a talker
	// who floods faster than a member's connection can write would fill that
	// member's output limit too (there is no flow control from members back to
	// a talker), and that is not what this test is about.
	var sent, read atomic.Int64
	done := make(chan error, 1)
	go func() { done <- readSequence(bob, &sent, &read) }()
	text := strings.Repeat("z", 1000)
	line := s.waitLogUntil(t, logLine{"msg": "output limit exceeded; closing the connection"}, func() {
		for sent.Load()-read.Load() > 20 {
			time.Sleep(100 * time.Microsecond) // pacing the talker, not waiting for an outcome
		}
		alice.send(t, fmt.Sprintf("%d %s", sent.Load(), text))
		sent.Add(1)
	})
	checkFields(t, line, logLine{"level": "warning", "conn": fmt.Sprintf("conn-%d", id),
		"remote": slow.LocalAddr().String(), "limit": "hard"})

	alice.send(t, "end")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	alice.expect(t, fmt.Sprintf("* guest-%d left lobby", id))
	alice.roundTrip(t, "/who", "* in lobby: alice, bob")
	expectEOF(t, slow) // after what the kernel still held for it
}

// waitLogUntil runs step until the log has a line with every field of want,
// and returns that line.
func (s *testServer) waitLogUntil(t testing.TB, want logLine, step func()) logLine {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for i := 0; ; i++ {
		if i%100 == 0 {
			for _, l := range s.logLines(t) {
				if l.matches(want) {
					return l
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for a log line with %v", want)
			}
		}
		step()
	}
}

// readSequence reads alice's numbered lines until "end", checking that none is
// missing or out of order; notices are skipped.
// read counts the lines read so far.
func readSequence(c *lineClient, sent, read *atomic.Int64) error {
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	for next := int64(0); ; {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("after line %d: %v", next, err)
		}
		if strings.HasPrefix(line, "* ") {
			continue
		}
		if line == "[lobby] alice: end\n" {
			if next != sent.Load() {
				return fmt.Errorf("got %d lines; want %d", next, sent.Load())
			}
			return nil
		}
		var seq int64
		if _, err := fmt.Sscanf(line, "[lobby] alice: %d ", &seq); err != nil || seq != next {
			return fmt.Errorf("got %.40q; want line %d", line, next)
		}
		next++
		read.Store(next)
	}
}
