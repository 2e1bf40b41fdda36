package logs

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"async_server/internal/leakcheck"
)

// TestMain fails the package's tests if any leaves a goroutine behind.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// stringer is a fmt.Stringer that is not an error.
type stringer string

func (s stringer) String() string { return string(s) }

// TestCutValue ensures every kind of value is cut to its cap with a mark that
// says how much went, short values keep their type, and UTF-8 is not split.
func TestCutValue(t *testing.T) {
	long := strings.Repeat("x", 1000)
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
	tests := []struct {
		name  string
		v     any
		limit int
		want  any
	}{
		{"short string", "abc", 8, "abc"},
		{"exact string", "abcdefgh", 8, "abcdefgh"},
		{"long string", long, 8, "xxxxxxxx...[cut 992 bytes]"},
		{"long bytes", []byte(long), 8, "xxxxxxxx...[cut 992 bytes]"},
		{"long error", errors.New(long), 8, "xxxxxxxx...[cut 992 bytes]"},
		{"long stringer", stringer(long), 8, "xxxxxxxx...[cut 992 bytes]"},
		{"long slice", []string{long}, 8, "[xxxxxxx...[cut 994 bytes]"},
		{"short addr keeps its type", addr, 64, addr},
		{"int", 1 << 40, 2, 1 << 40},
		{"duration", time.Hour, 2, time.Hour},
		{"rune not split", "aé" + long, 2, "a...[cut 1002 bytes]"},
		{"not UTF-8", strings.Repeat("\x80", 10), 4, "\x80\x80\x80\x80...[cut 6 bytes]"},
	}
	for _, tt := range tests {
		if got := cutValue(tt.v, tt.limit); !equal(got, tt.want) {
			t.Errorf("%s: cutValue(%.20v, %d) = %#v; want %#v", tt.name, tt.v, tt.limit, got, tt.want)
		}
	}
}

func equal(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && bytes.Equal(ab, bb)
	}
	return a == b
}

// TestForwarderCutsEntries ensures the front end cuts a client-sized field and
// message to MaxValue and a panic's stack to MaxStack, and leaves short ones alone.
func TestForwarderCutsEntries(t *testing.T) {
	front, fw := NewFrontEnd(logrus.InfoLevel)
	var c collector
	fw.Attach(c.send)
	huge := strings.Repeat("A", 1<<20)
	front.WithFields(logrus.Fields{"request": huge, StackField: huge, "remote": "127.0.0.1:1"}).
		WithError(errors.New(huge)).Warn(huge)

	m := c.got[0]
	checks := []struct {
		name string
		got  any
		want string
	}{
		{"message", m.Message, strings.Repeat("A", MaxValue) + "...[cut 1048064 bytes]"},
		{"request", m.Fields["request"], strings.Repeat("A", MaxValue) + "...[cut 1048064 bytes]"},
		{"error", m.Fields[logrus.ErrorKey], strings.Repeat("A", MaxValue) + "...[cut 1048064 bytes]"},
		{"stack", m.Fields[StackField], strings.Repeat("A", MaxStack) + "...[cut 1040384 bytes]"},
		{"remote", m.Fields["remote"], "127.0.0.1:1"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			s, _ := ch.got.(string)
			t.Errorf("%s = %d bytes ending %q; want %d bytes ending %q", ch.name, len(s), tail(s), len(ch.want), tail(ch.want))
		}
	}
}

func tail(s string) string { return s[max(0, len(s)-24):] }

// TestCutLineBounded ensures a 1 MB field of the worst bytes for quoting (control
// characters, which text and JSON write 4 to 6 bytes each) still makes a line of
// bounded size in the file, marked as cut.
func TestCutLineBounded(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		path := filepath.Join(t.TempDir(), "server.log")
		out, f, err := Open(Config{File: path, Format: format, Level: "info"})
		if err != nil {
			t.Fatal(err)
		}
		front, fw := NewFrontEnd(logrus.InfoLevel)
		fw.Detach(out) // write directly, as after the logger actor stops
		front.WithField("request", strings.Repeat("\x01", 1<<20)).Warn("bad request")
		fw.Close()
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if max := 6*MaxValue + 200; len(b) > max || !strings.Contains(string(b), "...[cut 1048064 bytes]") {
			t.Errorf("%s: a 1 MB field made a %d-byte line; want at most %d, marked as cut:\n%.300s", format, len(b), max, b)
		}
	}
}
