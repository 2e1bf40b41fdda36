package clustertest

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Life is one activation of a grain on one node, as the node's log records
// it (cluster/view.go): from its "grain activated" line to its "grain
// deactivated" line, or to the end of its process when it had none. The
// times are each node's wall clock: on one machine they are one clock, to
// the nanosecond, which is what a test of overlaps needs; across machines
// they would not be.
type Life struct {
	Grain string // kind/identity
	Node  string // the node's -node-addr
	PID   string // the grain's actor on that node
	Start time.Time
	End   time.Time // Forever while it lives
	Why   string    // what ended it: "deactivated", "the process ended", "fenced" (its lease lost)
}

// Forever is the End of a life still going on.
var Forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// GrainLives reads the logs of every process the nodes ran (a restarted
// node's earlier ones too) and returns every grain's lives there. A life
// with no deactivation line ends when its process was seen to exit (no
// earlier than it stopped acting). In a process whose etcd lease was lost,
// every life ends no later than its fence closed (the lease-lost line's
// fenced_from: its grains handled no message after it), and one that began
// after that is left out: it never acted. Read the logs once the scenario is over:
// a node still running may log more.
func GrainLives(tb testing.TB, nodes []*Node) []Life {
	tb.Helper()
	var lives []Life
	for _, n := range nodes {
		for _, p := range n.procs {
			end := Forever
			select {
			case <-p.done:
				end = p.exited
			default:
			}
			ls, err := livesIn(p.log, n.Addr, end)
			if err != nil {
				tb.Fatalf("node %s: %v", n.Addr, err)
			}
			lives = append(lives, ls...)
		}
	}
	return lives
}

// logField is one key=value of a text log line; a value with spaces or
// punctuation is quoted, Go-style.
var logField = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S*)`)

// fields parses a text-format log line.
func fields(line string) map[string]string {
	f := map[string]string{}
	for _, m := range logField.FindAllStringSubmatch(line, -1) {
		v := m[2]
		if strings.HasPrefix(v, `"`) {
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
		}
		f[m[1]] = v
	}
	return f
}

// livesIn reads one process's log; end is when the process ended (Forever:
// it runs).
func livesIn(path, node string, end time.Time) ([]Life, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	open := map[string]*Life{} // by grain and pid
	var lives []*Life
	fenced, why := end, "the process ended"
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := fields(sc.Text())
		switch f["msg"] {
		case "grain activated", "grain deactivated":
			at, err := time.Parse(time.RFC3339Nano, f["at"])
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %v", path, sc.Text(), err)
			}
			key := f["grain"] + " " + f["pid"]
			if f["msg"] == "grain activated" {
				l := &Life{Grain: f["grain"], Node: node, PID: f["pid"], Start: at, End: Forever}
				open[key] = l
				lives = append(lives, l)
			} else if l := open[key]; l != nil {
				l.End, l.Why = at, "deactivated"
				delete(open, key)
			}
		case "etcd lease lost":
			if at, err := time.Parse(time.RFC3339Nano, f["fenced_from"]); err == nil && at.Before(fenced) {
				fenced, why = at, "fenced"
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]Life, 0, len(lives))
	for _, l := range lives {
		if fenced.Before(l.End) { // its node acted for no grain past its fence
			l.End, l.Why = fenced, why
		}
		if l.End.After(l.Start) { // one activated past the fence never acted
			out = append(out, *l)
		}
	}
	return out, nil
}

// Overlaps returns, in words, every two lives of one grain that overlap in
// time: two activations acting for it at once, on two nodes or one.
func Overlaps(lives []Life) []string {
	byGrain := map[string][]Life{}
	for _, l := range lives {
		byGrain[l.Grain] = append(byGrain[l.Grain], l)
	}
	var out []string
	for g, ls := range byGrain {
		slices.SortFunc(ls, func(a, b Life) int { return a.Start.Compare(b.Start) })
		for i, a := range ls {
			for _, b := range ls[i+1:] {
				if b.Start.Before(a.End) {
					out = append(out, fmt.Sprintf("%s: on %s (%s) from %s to %s, and on %s (%s) from %s",
						g, a.Node, a.PID, a.Start.Format(stamp), endText(a), b.Node, b.PID, b.Start.Format(stamp)))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

const stamp = "15:04:05.000000"

func endText(l Life) string {
	if l.End.Equal(Forever) {
		return "now (it lives)"
	}
	return l.End.Format(stamp) + " (" + l.Why + ")"
}

// LivesOf returns the lives of grain (kind/identity).
func LivesOf(lives []Life, grain string) []Life {
	var out []Life
	for _, l := range lives {
		if l.Grain == grain {
			out = append(out, l)
		}
	}
	return out
}
