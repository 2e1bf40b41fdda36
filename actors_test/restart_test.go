package actors_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"async_server/actors"
	"async_server/supervision"
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

// TestRestartKeepsPipelinedInput ensures a restart loses only the request that
// failed: lines pipelined behind a failing one, in the same write and so the
// same read, are answered by the fresh behavior, in order; also when the first
// of them fails again.
func TestRestartKeepsPipelinedInput(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.send(t, "a", "b", "panic", "c", "d", "bad", "panic", "e")
	c.expect(t, "count 1 a", "count 2 b", "count 1 c", "count 2 d", "-ERR bad", "count 1 e")
	waitDecision(t, s, c, 3, logLine{"category": "Internal", "directive": "Restart", "restarts": "3"})
}

// TestRestartSoakPipelined drives many clients that pipeline batches of
// commands with failures mixed in at random, and checks every reply: each good
// command is answered exactly once, in order, with the count of the behavior
// instance that answered it (restarted at each failure). Nothing is lost behind a
// failure.
func TestRestartSoakPipelined(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) {
		cfg.Intensity = supervision.Intensity{MaxRestarts: 1 << 20, Within: time.Minute}
	})
	const clients, batches, batch = 20, 20, 25
	errs := make(chan error, clients)
	for i := range clients {
		go func() { errs <- soakClient(s.Addr, uint64(i), batches, batch) }()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// soakClient sends batches of pipelined commands, about one in ten of them
// failing ("panic" or "bad"), and checks the replies of each batch.
func soakClient(addr string, seed uint64, batches, batch int) error {
	c, err := dialLineClient(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := rand.New(rand.NewPCG(seed, 1))
	count := 0 // the answering instance's count so far
	for b := range batches {
		var out bytes.Buffer
		var want []string
		for i := range batch {
			switch r.IntN(10) {
			case 0:
				out.WriteString("panic\n")
				count = 0
			case 1:
				out.WriteString("bad\n")
				want = append(want, "-ERR bad")
				count = 0
			default:
				count++
				fmt.Fprintf(&out, "cmd %d.%d\n", b, i)
				want = append(want, fmt.Sprintf("count %d cmd %d.%d", count, b, i))
			}
		}
		if _, err := c.Write(out.Bytes()); err != nil {
			return err
		}
		for _, w := range want {
			got, err := c.r.ReadString('\n')
			if err != nil || got != w+"\n" {
				return fmt.Errorf("client %d batch %d: read %q (%v); want %q", seed, b, got, err, w)
			}
		}
	}
	return nil
}

// TestRestartForgetsReadDeadline ensures a read deadline the failed behavior set
// does not bind its successor: after a restart the peer may stay quiet for longer
// than that deadline and is still served.
func TestRestartForgetsReadDeadline(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.send(t, "deadline", "bad")
	c.expect(t, "deadline", "-ERR bad")
	waitDecision(t, s, c, 1, logLine{"category": "BadRequest", "directive": "Restart"})
	time.Sleep(2 * faultyDeadline) // the quiet peer is the point of the test
	c.roundTrip(t, "late", "count 1 late")
}
