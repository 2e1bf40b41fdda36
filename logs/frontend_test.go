package logs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// collector is a stand-in for the logger actor: it records what it is sent.
type collector struct{ got []*messages.LogEntry }

func (c *collector) send(m *messages.LogEntry) { c.got = append(c.got, m) }

func (c *collector) messages() []string {
	var s []string
	for _, m := range c.got {
		s = append(s, m.Message)
	}
	return s
}

// newDirect returns a text logger writing into a buffer, as Detach's target.
func newDirect() (*logrus.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	lg := logrus.New()
	lg.SetOutput(&buf)
	lg.SetFormatter(&logrus.TextFormatter{DisableColors: true, DisableTimestamp: true})
	return lg, &buf
}

// TestForwarderLifecycle ensures entries reach the right place at each stage of
// the logger actor's life: kept in order until Attach, which returns them for
// the logger actor to write before any later entry; sent while attached; written
// directly after Detach; written to standard error after Close, not kept.
func TestForwarderLifecycle(t *testing.T) {
	front, fw := NewFrontEnd(logrus.InfoLevel)
	for i := range 3 {
		front.WithField("i", i).Info(fmt.Sprintf("early %d", i))
	}
	front.Debug("below the level")

	var c collector
	for _, m := range fw.Attach(c.send) {
		c.send(m) // as the logger actor writes them
	}
	if got, want := strings.Join(c.messages(), ","), "early 0,early 1,early 2"; got != want {
		t.Errorf("Attach returned %q; want %q", got, want)
	}
	if got := c.got[1].Fields["i"]; got != 1 {
		t.Errorf("entry 1 field i = %v; want 1", got)
	}
	front.Warn("attached")
	if got, want := strings.Join(c.messages(), ","), "early 0,early 1,early 2,attached"; got != want {
		t.Errorf("while attached the logger actor got %q; want %q", got, want)
	}

	direct, buf := newDirect()
	fw.Detach(direct)
	front.WithField("k", "v").Error("detached")
	if got, want := buf.String(), "level=error msg=detached k=v\n"; got != want {
		t.Errorf("after Detach the file got %q; want %q", got, want)
	}
	if len(c.got) != 4 {
		t.Errorf("after Detach the logger actor got %d entries; want still 4", len(c.got))
	}

	var late bytes.Buffer
	fw.late.SetOutput(&late)
	if n := fw.Close(); n != 0 {
		t.Errorf("Close() = %d pending; want 0", n)
	}
	buf.Reset()
	for range 3 {
		front.Error("closed")
	}
	if buf.Len() != 0 || len(c.got) != 4 {
		t.Errorf("after Close an entry was written to the file (%q) or sent (%d entries); want neither", buf.String(), len(c.got))
	}
	if got, want := strings.Count(late.String(), "msg=closed"), 3; got != want {
		t.Errorf("after Close standard error got %d entries (%q); want %d", got, late.String(), want)
	}
	if len(fw.pending) != 0 {
		t.Errorf("after Close %d entries are kept in memory; want 0", len(fw.pending))
	}
}

// TestForwarderCloseCountsPending ensures Close writes to standard error, and
// counts, the entries a logger actor that never started would have lost.
func TestForwarderCloseCountsPending(t *testing.T) {
	front, fw := NewFrontEnd(logrus.InfoLevel)
	var late bytes.Buffer
	fw.late.SetOutput(&late)
	front.Info("one")
	front.Info("two")
	if n := fw.Close(); n != 2 {
		t.Errorf("Close() = %d; want 2", n)
	}
	if got := late.String(); !containsAll(got, "msg=one", "msg=two") {
		t.Errorf("Close wrote %q to standard error; want both pending entries", got)
	}
	var c collector
	if got := fw.Attach(c.send); len(got) != 0 {
		t.Errorf("Attach after Close returned %d entries; want none", len(got))
	}
}

// TestForwarderAttachConcurrent ensures no entry is lost or doubled, and each
// goroutine's entries stay in order, when components log while the logger actor
// attaches: every entry is either returned by Attach or sent after it.
func TestForwarderAttachConcurrent(t *testing.T) {
	front, fw := NewFrontEnd(logrus.InfoLevel)
	const goroutines, each = 4, 500
	var mu sync.Mutex
	var sent []*messages.LogEntry
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				front.WithFields(logrus.Fields{"g": g, "i": i}).Info("entry")
			}
		}()
	}
	close(start)
	all := fw.Attach(func(m *messages.LogEntry) {
		mu.Lock()
		sent = append(sent, m)
		mu.Unlock()
	})
	wg.Wait()
	all = append(all, sent...)
	if len(all) != goroutines*each {
		t.Fatalf("got %d entries; want %d", len(all), goroutines*each)
	}
	next := make([]int, goroutines)
	for _, m := range all {
		g, i := m.Fields["g"].(int), m.Fields["i"].(int)
		if i != next[g] {
			t.Fatalf("goroutine %d: entry %d came where %d was due", g, i, next[g])
		}
		next[g]++
	}
}

// TestForwarderOwnsFields ensures each entry's fields are its own: logging more
// through the same *logrus.Entry afterwards does not change an entry already sent.
func TestForwarderOwnsFields(t *testing.T) {
	front, fw := NewFrontEnd(logrus.InfoLevel)
	var c collector
	fw.Attach(c.send)
	base := front.WithField("conn", "conn-1")
	base.WithField("n", 1).Info("first")
	base.WithField("n", 2).Info("second")
	if got := c.got[0].Fields["n"]; got != 1 {
		t.Errorf("first entry field n = %v after a second entry; want 1", got)
	}
}

// TestNoForgedLines ensures client-supplied text in a field or a message cannot
// start a log line of its own, in either format: text quotes it, JSON escapes it.
func TestNoForgedLines(t *testing.T) {
	const forged = "GET /\nlevel=error msg=\"forged\"\r\n"
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "server.log")
			lg, f, err := Open(Config{File: path, Format: format, Level: "info"})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			Write(lg, &messages.LogEntry{Time: time.Now(), Level: logrus.WarnLevel, Message: "bad request",
				Fields: map[string]any{"request": forged}})
			Write(lg, &messages.LogEntry{Time: time.Now(), Level: logrus.WarnLevel, Message: forged})
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("log has %d lines; want 2:\n%s", len(lines), b)
			}
			for _, line := range lines {
				if strings.Contains(line, "\r") {
					t.Errorf("line %q holds a raw carriage return", line)
				}
				if format == "json" {
					var m map[string]any
					if err := json.Unmarshal([]byte(line), &m); err != nil {
						t.Errorf("line %q is not one JSON object: %v", line, err)
					}
				}
			}
			if format == "text" && !strings.Contains(lines[0], `request="GET /\nlevel=error msg=\"forged\"\r\n"`) {
				t.Errorf("text line %q does not hold the field quoted", lines[0])
			}
		})
	}
}

// TestSlogHandlerLevels ensures protoactor's slog output reaches the front end
// with Info demoted to Debug and warnings and errors kept.
func TestSlogHandlerLevels(t *testing.T) {
	front, fw := NewFrontEnd(logrus.TraceLevel)
	var c collector
	fw.Attach(c.send)
	lg := slog.New(SlogHandler(front))
	lg.Debug("d")
	lg.Info("i")
	lg.Warn("w")
	lg.Error("e")
	want := map[string]logrus.Level{"d": logrus.DebugLevel, "i": logrus.DebugLevel, "w": logrus.WarnLevel, "e": logrus.ErrorLevel}
	if len(c.got) != len(want) {
		t.Fatalf("front end got %q; want %d entries", c.messages(), len(want))
	}
	for _, m := range c.got {
		if m.Level != want[m.Message] {
			t.Errorf("slog %q logged at %v; want %v", m.Message, m.Level, want[m.Message])
		}
	}
}

// TestConfigValidate ensures the log settings' errors name the field.
func TestConfigValidate(t *testing.T) {
	tests := []struct {
		c    Config
		want string
	}{
		{Config{File: "server.log", Format: "text", Level: "info"}, ""},
		{Config{File: "-", Format: "json", Level: "trace"}, ""},
		{Config{File: "-", Format: "JSON", Level: "INFO"}, ""}, // case-insensitive, as logrus levels are
		{Config{File: "", Format: "text", Level: "info"}, "-log-file:"},
		{Config{File: "x", Format: "yaml", Level: "info"}, `-log-format: "yaml"`},
		{Config{File: "x", Format: "text", Level: "chatty"}, `-log-level: "chatty"`},
		{Config{File: "x", Format: "text", Level: "info", MaxSize: 1, MaxBackups: 0}, ""}, // keep all
		{Config{File: "x", Format: "text", Level: "info", MaxSize: 100, MaxBackups: 3}, ""},
		{Config{File: "x", Format: "text", Level: "info", MaxSize: -1}, "-log-max-size: -1 is negative"},
		{Config{File: "x", Format: "text", Level: "info", MaxSize: 1, MaxBackups: -2}, "-log-max-backups: -2 is negative"},
		{Config{File: "-", Format: "text", Level: "info", MaxSize: 1}, "-log-max-size: 1: standard error"},
		{Config{File: "-", Format: "text", Level: "info", MaxBackups: 2}, "-log-max-backups: 2: standard error"},
		{Config{File: "x", Format: "text", Level: "info", MaxBackups: 2}, "-log-max-backups: 2 does nothing without -log-max-size"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)) {
			t.Errorf("%+v.Validate() = %v; want %q", tt.c, err, tt.want)
		}
	}
}
