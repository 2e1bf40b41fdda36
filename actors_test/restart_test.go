package actors_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestRestartKeepsSocketResetsState ensures a restart (after a panic, then after
// a bad request) keeps the TCP connection and makes a fresh behavior, and does
// not start a second reader: afterwards every line, however the lines are split
// across writes, is answered exactly once and in order.
func TestRestartKeepsSocketResetsState(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.roundTrip(t, "a", "count 1 a")
	c.roundTrip(t, "b", "count 2 b")
	c.send(t, "panic")
	waitDecision(t, s, c, 1, logLine{"category": "Internal", "directive": "Restart", "restarts": "1"})
	c.roundTrip(t, "c", "count 1 c")
	c.roundTrip(t, "bad", "-ERR bad")
	waitDecision(t, s, c, 2, logLine{"category": "BadRequest", "directive": "Restart", "restarts": "2"})

	const lines = 2000
	var all bytes.Buffer
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&all, "line %d\n", i)
	}
	written := make(chan error, 1)
	go func() { written <- writeInPieces(c, all.Bytes(), 1, 4000) }()
	for i := 1; i <= lines; i++ {
		c.expect(t, fmt.Sprintf("count %d line %d", i, i))
	}
	if err := <-written; err != nil {
		t.Fatalf("writing %d lines: %v", lines, err)
	}
	c.roundTrip(t, "last", fmt.Sprintf("count %d last", lines+1))

	opened := logLine{"msg": "connection opened", "remote": c.LocalAddr().String()}
	if n := s.countLogLines(t, opened); n != 1 {
		t.Errorf("%q logged %d times for one connection; want 1", opened["msg"], n)
	}
}

// writeInPieces writes data to c in pieces of random sizes from lo to hi bytes,
// so that lines arrive split at arbitrary points.
func writeInPieces(c *lineClient, data []byte, lo, hi int) error {
	r := rand.New(rand.NewPCG(7, 7))
	_ = c.SetWriteDeadline(time.Now().Add(waitTimeout))
	for len(data) > 0 {
		n := min(len(data), lo+r.IntN(hi-lo+1))
		if _, err := c.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
