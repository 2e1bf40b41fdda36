package actors_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/web"
	"async_server/logs"
)

// The log: the logger actor writes everything before the server is done, and
// nothing a client sends can forge a line of its own.

// TestLogCompleteAfterDone ensures every entry logged while serving is in the
// file once Done is closed, even when Shutdown comes right after the last
// entries, and the shutdown report is the file's last line.
func TestLogCompleteAfterDone(t *testing.T) {
	const clients, lines = 20, 50
	s := startFaulty(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	sent := 0
	for i := range clients {
		c := s.dialLines(t)
		sent += lines * len(fmt.Sprintf("client %d line 00\n", i))
		wg.Go(func() {
			if err := converse(c, i, lines); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Every entry below was logged before its reply was written, and all replies
	// are in: from here on, only the logger can lose them.
	s.Shutdown()
	s.waitDone(t)

	logged := 0
	for i, l := range s.logLines(t) {
		if l == nil || l["time"] == "" {
			t.Errorf("log line %d is not a log entry: %q", i+1, strings.Split(s.log(t), "\n")[i])
		}
		if l["msg"] == "faulty received" {
			logged += len(l["data"])
		}
	}
	if logged != sent {
		t.Errorf("bytes in \"faulty received\" entries = %d; want %d (all that was sent)", logged, sent)
	}
	checkFields(t, s.lastLogLine(t), logLine{"msg": "shutdown report", "graceful": fmt.Sprint(clients)})
}

// converse sends lines lines on c and checks each reply. It runs on its own
// goroutine, so it returns its failure instead of failing the test.
func converse(c *lineClient, client, lines int) error {
	for n := 1; n <= lines; n++ {
		line := fmt.Sprintf("client %d line %02d", client, n)
		if _, err := fmt.Fprintf(c, "%s\n", line); err != nil {
			return err
		}
		got, err := c.r.ReadString('\n')
		if want := fmt.Sprintf("count %d %s\n", n, line); err != nil || got != want {
			return fmt.Errorf("read %q (%v); want %q", got, err, want)
		}
	}
	return nil
}

// TestLogCannotBeForged ensures client text logged as a field (faulty logs every
// chunk it receives) stays inside its field in both log formats: a newline
// followed by something that looks like an entry starts no line of its own.
func TestLogCannotBeForged(t *testing.T) {
	const forgery = "x\nlevel=error msg=forged\n{\"level\":\"error\",\"msg\":\"forged\"}\n"
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			s := startFaulty(t, func(cfg *actors.Config) { cfg.Log.Format = format })
			c := s.dialLines(t)
			if _, err := c.Write([]byte(forgery)); err != nil { // one write, one chunk
				t.Fatalf("writing: %v", err)
			}
			c.expect(t, "count 1 x")
			s.stop(t)

			found := false
			for i, line := range strings.Split(strings.TrimSuffix(s.log(t), "\n"), "\n") {
				entry := parseEntry(format, line)
				if entry == nil || entry["time"] == "" {
					t.Errorf("log line %d is not an entry of its own: %q", i+1, line)
					continue
				}
				if entry["msg"] == "forged" {
					t.Errorf("log line %d is forged: %q", i+1, line)
				}
				if entry["msg"] == "faulty received" && entry["data"] == forgery {
					found = true
				}
			}
			if !found {
				t.Errorf("no \"faulty received\" entry with data %q", forgery)
			}
		})
	}
}

// parseEntry parses one log line of the given format into its fields, or
// returns nil.
func parseEntry(format, line string) logLine {
	if format == "text" {
		return parseLogLine(line)
	}
	var fields map[string]any
	if json.Unmarshal([]byte(line), &fields) != nil {
		return nil
	}
	entry := logLine{}
	for k, v := range fields {
		entry[k] = fmt.Sprint(v)
	}
	return entry
}

// TestLogCapsClientValues ensures a client cannot make the log grow by what it
// sends: a 1 MB malformed request line (quoted into the error the supervision
// decision logs) becomes a line of bounded size in server.log, marked as cut.
func TestLogCapsClientValues(t *testing.T) {
	s := startHTTP(t, nil)
	c := s.dialRaw(t)
	c.send(t, strings.Repeat("X", 1_000_000)+"\r\n\r\n") // under -max-header-bytes
	if resp, _ := c.response(t, "GET"); resp.StatusCode != 400 {
		t.Errorf("status %d; want 400", resp.StatusCode)
	}
	s.stop(t)

	const bound = 4 << 10 // a few capped fields, quoted
	cut := false
	for i, line := range strings.Split(s.log(t), "\n") {
		if len(line) > bound {
			t.Errorf("log line %d is %d bytes; want at most %d: %.200s...", i+1, len(line), bound, line)
		}
		cut = cut || strings.Contains(line, "...[cut ")
	}
	if !cut {
		t.Errorf("no log line is marked as cut:\n%s", s.log(t))
	}
}

// TestLogPanicStack ensures a panic logs its stack in one line beside the
// supervision decision, capped at logs.MaxStack like other long values.
func TestLogPanicStack(t *testing.T) {
	s := startFaulty(t, nil)
	c := s.dialLines(t)
	c.send(t, "panic")
	s.waitLogLine(t, logLine{"msg": "supervision decision", "category": "Internal", "directive": "Restart"})
	s.stop(t)

	line := logLine(nil)
	for _, l := range s.logLines(t) {
		if l["msg"] == "behavior panicked" {
			line = l
		}
	}
	switch {
	case line == nil:
		t.Fatalf("no \"behavior panicked\" line:\n%s", s.log(t))
	case !strings.Contains(line["stack"], "goroutine ") || len(line["stack"]) > logs.MaxStack+len("...[cut 1000000 bytes]"):
		t.Errorf("stack field is %d bytes: %.300q; want a goroutine stack of at most %d", len(line["stack"]), line["stack"], logs.MaxStack)
	}
}

// TestLogBudgetBoundsFailureLines ensures a client that fails its connections
// on purpose, again and again, cannot write the log at the rate it sends: a
// listener's failure lines (decisions, panics' stacks) are at most a burst of
// 100 and 10 a second, and a later line says how many were left out.
func TestLogBudgetBoundsFailureLines(t *testing.T) {
	s := startBehavior(t, "faults", nil)
	start := time.Now()
	panics := func() {
		c := s.dialLines(t)
		c.send(t, "panic", "panic", "panic", "panic") // 3 restarts, then a Stop
		c.expectEOF(t)
	}
	checkFailureLinesBounded(t, s, start, panics, "behavior panicked")
}

// checkFailureLinesBounded has 60 clients panic (each panics four times:
// 480 failure lines wanted, 4 decisions and 4 of stackMsg), then more until
// a failure line says how many were left out (the budget refills at 10
// lines a second: the next line written says so), stops s, and checks the
// failure lines in its log are at most the budget's burst of 100 and 10 a
// second since start.
func checkFailureLinesBounded(t *testing.T, s *testServer, start time.Time, panics func(), stackMsg string) {
	t.Helper()
	for range 60 {
		panics()
	}
	deadline := time.Now().Add(waitTimeout)
	for !s.logHas(t, "suppressed", "supervision decision", stackMsg) {
		if time.Now().After(deadline) {
			t.Fatalf("no failure line says how many were suppressed:\n%.5000s", s.log(t))
		}
		panics()
	}
	elapsed := time.Since(start)
	s.stop(t)
	n := 0
	for _, l := range s.logLines(t) {
		if l["msg"] == "supervision decision" || l["msg"] == stackMsg {
			n++
		}
	}
	if most := 100 + int(10*elapsed.Seconds()) + 1; n > most {
		t.Errorf("%d failure lines in %v; want at most %d", n, elapsed.Round(time.Millisecond), most)
	}
}

// TestLogBudgetBoundsHTTPPanics ensures an http handler that panics on a
// request cannot be made to write the log at the rate clients send it: its
// "http handler panicked" lines, each with a stack, are within the listener's
// budget with the decisions, as the faults behavior's panics are. They were
// not: 60 clients sending 4 such requests each wrote 240 stacks.
func TestLogBudgetBoundsHTTPPanics(t *testing.T) {
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = web.New(diffHandler(web.DefaultMaxBody), web.DefaultOptions())
	})
	start := time.Now()
	panics := func() {
		c := s.dialRaw(t)
		req := httpReq("GET /panic HTTP/1.1", "Host: x")
		c.send(t, req+req+req+req) // 3 restarts, then a Stop
		for range 4 {
			if resp, _ := c.response(t, "GET"); resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("GET /panic: %d; want 500", resp.StatusCode)
			}
		}
		c.expectEOF(t)
	}
	checkFailureLinesBounded(t, s, start, panics, "http handler panicked")
}

// logHas reports whether a line of the log whose message is one of msgs has
// field.
func (s *testServer) logHas(t testing.TB, field string, msgs ...string) bool {
	for _, l := range s.logLines(t) {
		if _, ok := l[field]; ok && slices.Contains(msgs, l["msg"]) {
			return true
		}
	}
	return false
}

// TestLogBudgetAccountsForEveryDecision ensures the failure budget leaves out
// only lines that would be written: at -log-level warn, a flood of routine
// resets (Info, not written) spends nothing, so the warnings after it are
// written; and every warning is accounted for, written or counted in a
// "suppressed" field, the last count when the listener stops.
func TestLogBudgetAccountsForEveryDecision(t *testing.T) {
	s := startBehavior(t, "faults", func(cfg *actors.Config) { cfg.Log.Level = "warn" })
	for range 150 { // resets: ConnectionFailed, routine
		c := s.dialLines(t)
		c.roundTrip(t, "x", "count 1: x")
		_ = c.Conn.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	const bigs = 130
	for range bigs { // TooLarge: warnings
		c := s.dialLines(t)
		c.roundTrip(t, "big", "-ERR too large")
		c.expectEOF(t)
	}
	s.stop(t)
	written, counted := 0, 0
	for _, l := range s.logLines(t) {
		switch {
		case l["msg"] == "supervision decision" && l["category"] == "TooLarge":
			written++
			counted += atoiField(t, l, "suppressed")
		case l["msg"] == "supervision decision":
			t.Errorf("a line at a level that is off, or about another failure: %v", l)
		case strings.HasPrefix(l["msg"], "connection failures left out"):
			counted += atoiField(t, l, "suppressed")
		}
	}
	if written < 100 || written+counted != bigs {
		t.Errorf("%d TooLarge decisions written and %d counted as left out; want at least the burst of 100 written, and %d in all", written, counted, bigs)
	}
}

// atoiField is l's field as a number, 0 if it has none.
func atoiField(t testing.TB, l logLine, field string) int {
	t.Helper()
	v, ok := l[field]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("field %s=%q is not a number: %v", field, v, err)
	}
	return n
}

// TestShutdownReportIsLastWithSuppressedCounts ensures the shutdown report is
// the log's last entry even when the listener's log budget still holds lines
// it left out: the count of those ("connection failures left out of the
// log") comes before the report, and none is lost. (The count was logged as
// the connection supervisor stopped, after the report: 400 silent clients at
// -idle-timeout 100ms left the report followed by suppressed_routine=300.)
func TestShutdownReportIsLastWithSuppressedCounts(t *testing.T) {
	s := startEcho(t, func(cfg *actors.Config) { cfg.IdleTimeout = 20 * time.Millisecond })
	const batches, batch = 6, 50 // 300 routine lines wanted: past the burst of 100 in well under 20 s
	for range batches {
		conns := make([]net.Conn, batch)
		for i := range conns {
			conns[i] = s.dial(t)
		}
		for _, c := range conns { // closed by the server: its Timeout decision is made
			expectEOF(t, c)
		}
	}
	s.stop(t)

	lines := s.logLines(t)
	written, counted, reports := 0, 0, 0
	for _, l := range lines {
		switch {
		case l["msg"] == "supervision decision" && l["category"] == "Timeout":
			written++
			counted += atoiField(t, l, "suppressed")
		case strings.HasPrefix(l["msg"], "connection failures left out"):
			counted += atoiField(t, l, "suppressed_routine")
		case l["msg"] == "shutdown report":
			reports++
		}
	}
	if counted == 0 {
		t.Fatalf("%d Timeout decisions written, none left out: the budget was not spent, so this test shows nothing", written)
	}
	if written+counted != batches*batch {
		t.Errorf("%d Timeout decisions written and %d counted as left out; want %d in all", written, counted, batches*batch)
	}
	if reports != 1 {
		t.Errorf("%d shutdown reports; want 1", reports)
	}
	if last := lines[len(lines)-1]; last["msg"] != "shutdown report" {
		t.Errorf("last log entry is %v; want the shutdown report", last)
	}
}
