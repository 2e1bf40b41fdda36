package actors_test

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/chat"
)

// TestChatFlood ensures flood control slows or stops the sender, not the
// readers: two connections flooding 4 KiB lines into a room of 40 members
// who read at 256 KiB/s each (an output limit of 256 KiB: the issue 17 probe,
// scaled down) are closed for "excess flood" or held to the rate the flood
// control allows, while every member keeps every line of a third member who
// talks at a person's pace, and none is cut. Before flood control, the room
// sent on whatever the flooders wrote and every member was cut by its output
// limit within a second or two.
func TestChatFlood(t *testing.T) {
	const members, talks = 40, 10
	opts := chat.Options{LineCost: 50 * time.Millisecond, ByteRate: 16 << 10,
		Burst: 500 * time.Millisecond, ExcessFlood: 2 * time.Second}
	s := startBehavior(t, "chat", func(c *actors.Config) {
		c.OutputLimit = 256 << 10
		c.Options.Chat = opts
	})
	r := floodRoom(t, s, opts, members, talks, func() {})
	t.Logf("in %v: at most %d flood lines reached a member (allowed %d); flooders ended: %q", r.elapsed, r.maxFlood, r.allowed, r.floodEnds)
}

// floodRun is what one floodRoom saw.
type floodRun struct {
	elapsed   time.Duration
	maxFlood  int // the most flood lines one member got
	allowed   int // what the flood control lets two flooders say in elapsed, twice over
	floodEnds []string
}

// floodRoom joins members readers, a talker and two flooders to lobby on s:
// the readers read at 256 KiB/s, the flooders write 4 KiB lines as fast as
// the server takes them, and the talker says talks lines at a person's
// pace, calling each after every line and once more when every member has
// read them all. It fails t for a member that misses a talk line or gets
// more flood lines than opts lets two senders say, closes the flooders and
// returns what it saw.
func floodRoom(t *testing.T, s *testServer, opts chat.Options, members, talks int, each func()) floodRun {
	t.Helper()
	readers := make([]*lineClient, members)
	for i := range readers {
		readers[i] = s.joinChat(t, fmt.Sprintf("m%03d", i), "lobby", i)
	}
	talker := s.joinChat(t, "talker", "lobby", members)
	flooders := []*lineClient{s.joinChat(t, "flood1", "lobby", members+1), s.joinChat(t, "flood2", "lobby", members+2)}

	start := time.Now()
	results := make(chan memberResult, members)
	for _, m := range readers {
		go func() { results <- readPaced(m, talks) }()
	}
	var wg sync.WaitGroup
	r := floodRun{floodEnds: make([]string, len(flooders))}
	for i, f := range flooders {
		wg.Add(1)
		go func() { defer wg.Done(); r.floodEnds[i] = flood(f) }()
	}
	for i := range talks { // a person's pace: within the burst, under the rate
		talker.send(t, fmt.Sprintf("talk %d", i))
		each()
		time.Sleep(100 * time.Millisecond) // pacing the talker, not waiting for an outcome
	}
	for range members {
		m := <-results
		if m.err != nil {
			t.Error(m.err)
		}
		r.maxFlood = max(r.maxFlood, m.floodLines)
	}
	r.elapsed = time.Since(start)
	each()
	for _, f := range flooders {
		_ = f.Close() // a flooder still held back ends now
	}
	wg.Wait()
	// What the flood control lets two flooders say in elapsed: the burst, then
	// a line per cost, each; twice that as a margin for timing.
	cost := opts.LineCost + (4<<10)*time.Second/time.Duration(opts.ByteRate)
	r.allowed = 2 * 2 * int((r.elapsed+opts.Burst)/cost+1)
	if r.maxFlood > r.allowed {
		t.Errorf("a member got %d flood lines in %v; want at most %d (the flood control's rate)", r.maxFlood, r.elapsed, r.allowed)
	}
	return r
}

// memberResult is what one member saw.
type memberResult struct {
	floodLines int
	err        error
}

// readPaced reads as a member at 256 KiB/s until it has every one of the
// talker's talks lines, in order, and counts the flooders' lines meanwhile.
func readPaced(c *lineClient, talks int) memberResult {
	var r memberResult
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	next, read := 0, 0
	for next < talks {
		line, err := c.r.ReadString('\n')
		if err != nil {
			r.err = fmt.Errorf("%s: after talk %d: %v (cut?)", c.LocalAddr(), next, err)
			return r
		}
		if read += len(line); read >= 16<<10 { // 16 KiB per 62.5 ms
			read = 0
			time.Sleep(62500 * time.Microsecond) // pacing the reader, not waiting for an outcome
		}
		switch {
		case strings.HasPrefix(line, "[lobby] talker: "):
			if want := fmt.Sprintf("[lobby] talker: talk %d\n", next); line != want {
				r.err = fmt.Errorf("%s: got %q; want %q", c.LocalAddr(), line, want)
				return r
			}
			next++
		case strings.HasPrefix(line, "[lobby] flood"):
			r.floodLines++
		}
	}
	return r
}

// flood writes 4 KiB lines as fast as the server takes them, until it
// closes the connection or the test does, and returns the last line the
// server sent it.
func flood(c *lineClient) string {
	go func() {
		line := []byte(strings.Repeat("f", 4<<10-1) + "\n")
		_ = c.SetWriteDeadline(time.Now().Add(waitTimeout))
		for {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	last := ""
	for {
		line, err := c.r.ReadString('\n')
		if line != "" && !strings.HasPrefix(line, "[lobby]") {
			last = strings.TrimSpace(line)
		}
		if err != nil {
			if err != io.EOF {
				return last + " (" + err.Error() + ")"
			}
			return last
		}
	}
}

// TestChatFloodPaced ensures a room sends a flooding sender's lines on no
// faster than its penalty allows: a paste of 40 lines reaches the others
// within the burst, then a line per LineCost, however fast it was sent (IRC's
// rule, RFC 1459 8.10), and the sender is not cut while under ExcessFlood.
// The k-th line is due LineCost*k - Burst after the paste at the earliest;
// the test checks that none comes earlier (a lower bound: a slow machine
// only makes lines later). Before the room held a say's lines as well as
// its answer, all 40 reached the reader at once.
func TestChatFloodPaced(t *testing.T) {
	opts := chat.Options{LineCost: 20 * time.Millisecond, Burst: 100 * time.Millisecond, ExcessFlood: 10 * time.Second}
	s := startBehavior(t, "chat", func(c *actors.Config) { c.Options.Chat = opts })
	reader := s.joinChat(t, "reader", "lobby", 0)
	sender := s.joinChat(t, "sender", "lobby", 1)
	reader.expect(t, "* sender joined lobby")

	const n = 40
	var paste strings.Builder
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&paste, "line %d\n", k)
	}
	start := time.Now()
	if _, err := io.WriteString(sender, paste.String()); err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= n; k++ {
		reader.expect(t, fmt.Sprintf("[lobby] sender: line %d", k))
		at, due := time.Since(start), time.Duration(k)*opts.LineCost-opts.Burst
		if at < due {
			t.Fatalf("line %d reached the room after %v; flood control lets it go at %v at the earliest", k, at, due)
		}
	}
	sender.roundTrip(t, "/who", "* in lobby: reader, sender")
}
