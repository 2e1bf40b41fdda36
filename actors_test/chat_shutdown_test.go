package actors_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// TestChatShutdownInFlight ensures a shutdown while a member is talking loses
// nothing a member's connection had received: each member reads an unbroken,
// in-order run of the talker's lines (what reached it before its poison pill),
// whole lines only, then EOF; and the server stops cleanly.
func TestChatShutdownInFlight(t *testing.T) {
	const lines = 5000
	s := startBehavior(t, "chat", nil)
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	carol := s.joinChat(t, "carol", "lobby", 2)
	alice.expect(t, "* bob joined lobby", "* carol joined lobby")
	bob.expect(t, "* carol joined lobby")

	go func() { // alice talks until her connection is closed
		for i := range lines {
			if _, err := fmt.Fprintf(alice, "line %d\n", i); err != nil {
				return
			}
		}
	}()
	bob.expect(t, "[lobby] alice: line 0")
	s.Shutdown()
	for _, m := range []*lineClient{bob, carol} {
		if _, err := readPrefixUntilEOF(m); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-s.Done():
	case <-time.After(waitTimeout):
		t.Fatal("server did not stop")
	}
}

// readPrefixUntilEOF reads alice's numbered lines until EOF and checks that
// they run from where it is, without a gap; notices are skipped. It returns how
// many it read.
func readPrefixUntilEOF(c *lineClient) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	next, first := 0, true
	for {
		line, err := c.r.ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			return next, nil
		}
		if err != nil {
			return next, fmt.Errorf("after %d lines: %v (partial %q)", next, err, line)
		}
		if strings.HasPrefix(line, "* ") {
			continue
		}
		var seq int
		if _, err := fmt.Sscanf(line, "[lobby] alice: line %d\n", &seq); err != nil {
			return next, fmt.Errorf("unexpected line %q", line)
		}
		if first && seq == 1 {
			next = 1 // bob has read line 0 already
		}
		first = false
		if seq != next {
			return next, fmt.Errorf("got line %d; want line %d", seq, next)
		}
		next++
	}
}
