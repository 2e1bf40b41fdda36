package logs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// TestSlogHandlerRepeats ensures a protoactor warning or error about an
// address that repeats (an endpoint writer retrying a dead node every 2 s)
// is written once a minute, the next one saying how many were not, while
// another address, another message, a line without an address and an Info
// line pass as they are. Before, every retry was two lines.
func TestSlogHandlerRepeats(t *testing.T) {
	front, fw := NewFrontEnd(logrus.TraceLevel)
	var c collector
	fw.Attach(c.send)
	h := SlogHandler(front).WithAttrs([]slog.Attr{slog.String("lib", "protoactor")})
	t0 := time.Now()
	log := func(at time.Duration, level slog.Level, msg, addr string) {
		r := slog.NewRecord(t0.Add(at), level, msg, 0)
		if addr != "" {
			r.AddAttrs(slog.String("address", addr))
		}
		r.AddAttrs(slog.Int("retry", 1))
		if err := h.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	const dead, other = "127.0.0.1:7102", "127.0.0.1:7103"
	for i := range 30 { // a minute of retries, every 2 s
		log(time.Duration(i)*2*time.Second, slog.LevelError, "failed to connect", dead)
	}
	log(time.Second, slog.LevelError, "failed to connect", other)
	log(time.Second, slog.LevelError, "lost connection", dead)
	log(time.Second, slog.LevelWarn, "no address", "")
	log(time.Second, slog.LevelWarn, "no address", "")
	log(time.Second, slog.LevelInfo, "routine", dead)
	log(time.Second, slog.LevelInfo, "routine", dead)
	log(time.Minute, slog.LevelError, "failed to connect", dead)

	var got []string
	for _, m := range c.got {
		line := m.Message + " " + fmt.Sprint(m.Fields["address"])
		if n, ok := m.Fields["repeated"]; ok {
			line += fmt.Sprintf(" repeated=%v", n)
		}
		got = append(got, line)
	}
	want := []string{
		"failed to connect " + dead,
		"failed to connect " + other,
		"lost connection " + dead,
		"no address <nil>", "no address <nil>",
		"routine " + dead, "routine " + dead,
		"failed to connect " + dead + " repeated=29",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the front end got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.got[0].Fields["lib"] != "protoactor" {
		t.Errorf("fields %v; want the handler's attributes kept", c.got[0].Fields)
	}
}
