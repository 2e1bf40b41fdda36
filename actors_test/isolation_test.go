package actors_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCrashIsolation ensures a connection that keeps crashing, until its restart
// budget is spent and it is closed, never disturbs other connections in
// mid-conversation: one talking all the while, and one holding half a line in
// its behavior's state. Neither loses state or its socket, and no decision is
// logged about them.
func TestCrashIsolation(t *testing.T) {
	s := startFaulty(t, nil) // the default budget: 3 restarts
	crashy := s.dialLines(t)
	waiting := s.dialLines(t)
	talking := s.dialLines(t)

	waiting.roundTrip(t, "one", "count 1 one")
	if _, err := fmt.Fprint(waiting, "hal"); err != nil { // "half": the rest comes after the crashes
		t.Fatalf("sending half a line: %v", err)
	}
	stop := make(chan struct{})
	talked := make(chan error, 1)
	go func() { talked <- talk(talking, stop) }()

	for i := 1; i <= 4; i++ {
		crashy.send(t, "panic")
		want := logLine{"category": "Internal", "directive": "Restart", "restarts": strconv.Itoa(i)}
		if i == 4 {
			want["directive"] = "Stop"
		}
		waitDecision(t, s, crashy, i, want)
	}
	crashy.expectEOF(t)
	close(stop)
	if err := <-talked; err != nil {
		t.Errorf("the talking connection: %v", err)
	}

	waiting.send(t, "f")
	waiting.expect(t, "count 2 half")
	waiting.roundTrip(t, "three", "count 3 three")
	for _, c := range []*lineClient{waiting, talking} {
		decision := logLine{"msg": "supervision decision", "remote": c.LocalAddr().String()}
		if n := s.countLogLines(t, decision); n != 0 {
			t.Errorf("%d supervision decisions about a calm connection; want 0", n)
		}
	}
}

// talk does round trips on c until stop is closed, checking every reply. It runs
// on its own goroutine, so it returns its failure instead of failing the test.
func talk(c *lineClient, stop <-chan struct{}) error {
	for n := 1; ; n++ {
		select {
		case <-stop:
			if n < 2 {
				return fmt.Errorf("no round trip completed")
			}
			return nil
		default:
		}
		_ = c.SetDeadline(time.Now().Add(waitTimeout))
		if _, err := fmt.Fprintf(c, "t%d\n", n); err != nil {
			return fmt.Errorf("round trip %d: %w", n, err)
		}
		got, err := c.r.ReadString('\n')
		if want := fmt.Sprintf("count %d t%d", n, n); err != nil || strings.TrimSuffix(got, "\n") != want {
			return fmt.Errorf("round trip %d: read %q (%v); want %q", n, got, err, want)
		}
	}
}
