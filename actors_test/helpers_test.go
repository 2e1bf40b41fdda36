package actors_test

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file adds two things to the harness: a line client (for line protocols
// such as faulty, and echo used line by line), and a reader of the server's text
// log that finds lines by their fields.

// lineClient is a client connection that speaks in lines.
type lineClient struct {
	net.Conn
	r *bufio.Reader
}

// dialLines connects a lineClient; it is closed when the test ends.
func (s *testServer) dialLines(t testing.TB) *lineClient {
	t.Helper()
	c := s.dial(t)
	return &lineClient{Conn: c, r: bufio.NewReader(c)}
}

// dialLineClient connects a lineClient to addr from any goroutine (it takes no
// testing.TB); the caller closes it. It must be done within waitTimeout.
func dialLineClient(addr string) (*lineClient, error) {
	c, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(waitTimeout))
	return &lineClient{Conn: c, r: bufio.NewReader(c)}, nil
}

// send writes each line followed by a newline.
func (c *lineClient) send(t testing.TB, lines ...string) {
	t.Helper()
	_ = c.SetWriteDeadline(time.Now().Add(waitTimeout))
	for _, l := range lines {
		if _, err := fmt.Fprintf(c, "%s\n", l); err != nil {
			t.Fatalf("sending %q: %v", l, err)
		}
	}
}

// expect reads one line per want and checks each.
func (c *lineClient) expect(t testing.TB, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := readLine(t, c, c.r); got != w {
			t.Fatalf("read %q; want %q", got, w)
		}
	}
}

// roundTrip sends line and expects reply.
func (c *lineClient) roundTrip(t testing.TB, line, reply string) {
	t.Helper()
	c.send(t, line)
	c.expect(t, reply)
}

// expectEOF asserts that the server closes the connection, after nothing more
// than the lines still buffered.
func (c *lineClient) expectEOF(t testing.TB) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	rest, err := c.r.ReadString('\n')
	if err == nil {
		t.Fatalf("read %q; want the connection closed", rest)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", waitTimeout)
	}
}

// logLine is one line of the text log, by field; the message is under "msg".
type logLine map[string]string

// parseLogLine splits a logrus text line (key=value or key="quoted value") into
// its fields. It returns nil for a line that is not made only of such fields.
func parseLogLine(line string) logLine {
	fields := logLine{}
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimLeft(line, " ") {
		key, rest, ok := strings.Cut(line, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \"") {
			return nil
		}
		var value string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil
			}
			value, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			value, rest, _ = strings.Cut(rest, " ")
			rest = " " + rest
		}
		fields[key] = value
		line = rest
	}
	return fields
}

// logLines returns the server's log, line by line, parsed.
func (s *testServer) logLines(t testing.TB) []logLine {
	t.Helper()
	var lines []logLine
	for _, l := range strings.Split(strings.TrimSuffix(s.log(t), "\n"), "\n") {
		lines = append(lines, parseLogLine(l))
	}
	return lines
}

// matches reports whether the line has every field of want with its value.
func (l logLine) matches(want logLine) bool {
	for k, v := range want {
		if got, ok := l[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// waitLogLine waits until a line of the log has every field of want, and returns
// the first such line.
func (s *testServer) waitLogLine(t testing.TB, want logLine) logLine {
	t.Helper()
	var found logLine
	waitFor(t, fmt.Sprintf("a log line with %v", want), func() bool {
		for _, l := range s.logLines(t) {
			if l.matches(want) {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// countLogLines returns how many lines of the log have every field of want.
func (s *testServer) countLogLines(t testing.TB, want logLine) int {
	t.Helper()
	n := 0
	for _, l := range s.logLines(t) {
		if l.matches(want) {
			n++
		}
	}
	return n
}

// checkFields fails the test for every field of want that line lacks or has
// with another value.
func checkFields(t testing.TB, line logLine, want logLine) {
	t.Helper()
	for k, v := range want {
		if got, ok := line[k]; !ok || got != v {
			t.Errorf("log field %s = %q; want %q (line %v)", k, got, v, line)
		}
	}
}
