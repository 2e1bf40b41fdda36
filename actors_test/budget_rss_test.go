//go:build linux

package actors_test

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"async_server/internal/binary"
)

// rssPerConn is what TestBudgetRSSThousandBodies allows for each
// connection's state beside what it holds for its client (the budget's):
// its link, actor, mailbox, http session and socket, about 8 KiB of heap
// (TestBudgetHTTPThousandBodies measures it, its clients' state included),
// rounded up to 16 KiB.
const rssPerConn = 16 << 10

// TestBudgetRSSThousandBodies is issue 17's probe against the built binary,
// as an operator runs it (no race detector): 1 000 connections each sending
// a 1 MiB body but its last byte, against -memory-budget 64 MiB. The
// process's peak resident size (VmHWM in /proc/PID/status) stays within its
// size at the start plus twice the budget and rssPerConn for each
// connection: twice, because Go's collector lets the heap grow to twice what
// is live before it collects (GOGC 100; the reason the default budget is a
// quarter of the machine). That is 188 MiB here, where the probe saw 2.0 GB
// before issue 17. Meanwhile a fresh GET is served, the connections the
// budget closes are among the largest holders (each held at least 128 KiB;
// the rest hold a 64 KiB segment at most, read or not; the log names each),
// and every other one is paused, not closed.
//
// The test binary's -race changes nothing in the server (built without it
// either way), so the race run skips it.
func TestBudgetRSSThousandBodies(t *testing.T) {
	const size, first, conns, budget = 1 << 20, 40, 1000, 64 << 20
	if binary.RaceBuilt() {
		t.Skip("the server is built without -race in both runs: the run without it covers this")
	}
	bin := binary.Build(t, false)
	p := cliStart(t, bin, "-behavior", "http", "-memory-budget", strconv.Itoa(budget),
		"-header-timeout", "2m", "-admin", "127.0.0.1:0", "0") // the budget, not the body rate, must act here
	addr := p.waitReady(t)
	admin := &adminClient{URL: "http://" + cliAdminAddr(t, p)}
	pid := p.cmd.Process.Pid
	start := procStatusKiB(t, pid, "VmRSS")
	req := []byte(httpReq("POST / HTTP/1.1", "Host: x", fmt.Sprintf("Content-Length: %d", size)) +
		strings.Repeat("a", size-1))
	send := func(n int) {
		for range n {
			c := dialBuffers(t, addr, 16<<10, 0) // a small send buffer: the kernel holds little of each body
			go func() {                          // blocks once the server reads no more; ends when the test closes c
				_ = c.SetWriteDeadline(time.Now().Add(time.Minute))
				_, _ = c.Write(req)
			}()
		}
	}
	var maxHeld float64
	metrics := func() func(string) float64 {
		fams := admin.metrics(t)
		maxHeld = max(maxHeld, metricSum(fams, "async_server_memory_held_bytes"))
		return func(name string) float64 { return metricSum(fams, name) }
	}
	send(first)
	waitFor(t, "the first bodies read", func() bool {
		return metrics()("async_server_memory_held_bytes") >= first*(size-1)
	})
	send(conns - first)
	waitFor(t, "every connection read and paused, or closed", func() bool {
		m := metrics()
		return m("async_server_memory_paused_connections")+m("async_server_memory_budget_closed_total") >= conns-first
	})
	if resp, _ := httpGet(t, httpClient(t), http.MethodGet, "http://"+addr+"/", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a fresh GET: %d; want 200", resp.StatusCode)
	}
	// The budget may still be closing a connection (the GET above took
	// memory too): the log, which the logger actor writes after the count,
	// and the metric are compared once they agree, and must come to.
	held := regexp.MustCompile(`msg="memory budget exceeded; closing the connection that holds the most".* held=(\d+)`)
	var lines [][]string
	var closed float64
	waitFor(t, "every connection closed for the budget counted and logged", func() bool {
		closed = metrics()("async_server_memory_budget_closed_total")
		lines = held.FindAllStringSubmatch(p.log(t), -1)
		return float64(len(lines)) == closed
	})
	peak, rss := procStatusKiB(t, pid, "VmHWM"), procStatusKiB(t, pid, "VmRSS")
	limit := start + 2*(budget+conns*rssPerConn)>>10
	t.Logf("RSS %.1f MiB at the start, %.1f MiB now, %.1f MiB at its peak (bound %.1f MiB); held at most %.1f MiB; %v closed for the budget",
		float64(start)/1024, float64(rss)/1024, float64(peak)/1024, float64(limit)/1024, maxHeld/(1<<20), closed)
	if peak > limit {
		t.Errorf("peak RSS %d KiB; want at most %d KiB: %d at the start, and twice the budget and %d KiB a connection",
			peak, limit, start, rssPerConn>>10)
	}
	for _, m := range lines {
		if n, _ := strconv.Atoi(m[1]); n < 128<<10 {
			t.Errorf("closed a connection holding %s bytes; want at least %d (one of the largest)", m[1], 128<<10)
		}
	}
}

// procStatusKiB reads field (VmRSS, VmHWM: kB) from /proc/PID/status.
func procStatusKiB(t testing.TB, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("reading the server's status: %v", err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no %s in /proc/%d/status:\n%s", field, pid, b)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}
