package clustertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLives reads grain lives from logs as the nodes write them (logrus's
// text format) and finds the overlapping ones: a life ends at its
// deactivation, at its process's end, or at its node's fence, and one that
// began past the fence is no life.
func TestLives(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := func(msg, grain, pid, at string) string {
		return `time="2026-12-06T19:00:00Z" level=info msg="` + msg + `" at="2026-12-06T19:00:` + at +
			`Z" cluster=test grain=` + grain + ` node="127.0.0.1:1" pid="partition-activator/x$a"` + pid
	}
	a := write("a.log",
		line("grain activated", "chatroom/r", "1", "01.5"),
		line("grain activated", "chatroom/s", "2", "01.6"),
		line("grain deactivated", "chatroom/s", "2", "02.0"),
		`time="2026-12-06T19:00:05Z" level=error msg="etcd lease lost" error="lease lost: no keep-alive" fenced_from="2026-12-06T19:00:03.25Z"`,
		line("grain activated", "chatroom/late", "3", "05.1"))
	b := write("b.log",
		line("grain activated", "chatroom/r", "1", "03.5"),
		line("grain activated", "chatroom/s", "1", "01.9"))
	exitA := time.Date(2026, 12, 6, 19, 0, 6, 0, time.UTC)
	la, err := livesIn(a, "A", exitA)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := livesIn(b, "B", Forever)
	if err != nil {
		t.Fatal(err)
	}
	if len(la) != 2 || la[0].Why != "fenced" || !la[0].End.Equal(time.Date(2026, 12, 6, 19, 0, 3, 250e6, time.UTC)) ||
		la[1].Why != "deactivated" {
		t.Errorf("A's lives = %+v; want r until its fence, s deactivated, late left out", la)
	}
	if len(lb) != 2 || !lb[0].End.Equal(Forever) {
		t.Errorf("B's lives = %+v; want two, living", lb)
	}
	got := Overlaps(append(la, lb...))
	if len(got) != 1 || !strings.HasPrefix(got[0], "chatroom/s: on A") {
		t.Errorf("Overlaps = %q; want chatroom/s alone (r moved after A's fence)", got)
	}
}
