package actors

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"async_server/behaviors/protocol"
)

// newTestRejecter returns a rejecter that logs to a hook, and its wait group.
func newTestRejecter(t *testing.T, busy protocol.Busy) (*rejecter, *sync.WaitGroup, *test.Hook) {
	t.Helper()
	logger, hook := test.NewNullLogger()
	var wg sync.WaitGroup
	return newRejecter(busy, nil, &wg, logrus.NewEntry(logger), func() {}), &wg, hook
}

// TestRejecterBoundsInFlight ensures a flood of rejections holds at most
// rejectLimit goroutines and sockets: with every client stalled (a net.Pipe
// whose peer does not read, so each reply's write blocks), the first
// rejectLimit are in flight and the rest are closed at once without a reply;
// close then cuts the stalled ones short, and every goroutine ends.
func TestRejecterBoundsInFlight(t *testing.T) {
	r, wg, _ := newTestRejecter(t, protocol.Busy{})
	const clients = rejectLimit + 36
	peers := make([]net.Conn, clients)
	for i := range peers {
		server, peer := net.Pipe()
		peers[i] = peer
		r.reject(server)
	}
	if got := len(r.inFlight); got != rejectLimit {
		t.Errorf("rejections in flight = %d; want %d", got, rejectLimit)
	}
	for i, p := range peers[rejectLimit:] {
		_ = p.SetReadDeadline(time.Now().Add(time.Second))
		if n, err := p.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("client %d past the bound: Read = %d, %v; want 0, EOF (closed without a reply)", rejectLimit+i, n, err)
		}
	}
	r.close()
	wg.Wait() // every goroutine has ended: goleak (TestMain) checks the rest
	for _, p := range peers {
		_ = p.Close()
	}
}

// TestRejecterLogIsRateLimited ensures a flood of rejections makes at most one
// log line a second, each with the count since the last, and a last line at
// close for what is left: one rejection is logged at once, and 999 more within
// the second after it wait for close, which logs them in one line.
func TestRejecterLogIsRateLimited(t *testing.T) {
	r, wg, hook := newTestRejecter(t, protocol.Busy{})
	r.count(true)
	waitUntil(t, func() bool { return len(hook.AllEntries()) == 1 })
	logged := time.Now()
	for range 999 {
		r.count(true)
	}
	r.close()
	wg.Wait()
	if elapsed := time.Since(logged); elapsed >= rejectLogEvery {
		t.Skipf("counting took %v, more than rejectLogEvery: a line in between would be right", elapsed)
	}
	entries := hook.AllEntries()
	if len(entries) != 2 {
		t.Fatalf("log lines = %d; want 2 (the first at once, the rest at close)", len(entries))
	}
	for i, want := range []int{1, 999} {
		e := entries[i]
		if e.Message != "clients rejected at the connection limit" || e.Level != logrus.WarnLevel {
			t.Errorf("log line %q at %v; want \"clients rejected at the connection limit\" at warning", e.Message, e.Level)
		}
		if got := e.Data["rejected"]; got != want {
			t.Errorf("line %d: rejected = %v; want %d", i, got, want)
		}
	}
	if got := entries[1].Data["total"]; got != 1000 {
		t.Errorf("last line: total = %v; want 1000", got)
	}
}

// TestRejecterReply ensures a rejected client reads the busy reply, or the
// default, and then EOF; with AfterInput, only after it has sent something.
func TestRejecterReply(t *testing.T) {
	tests := []struct {
		busy  protocol.Busy
		input string
		want  string
	}{
		{protocol.Busy{}, "", string(protocol.DefaultBusyReply)},
		{protocol.Busy{Reply: []byte("-ERR full\n")}, "", "-ERR full\n"},
		{protocol.Busy{Reply: []byte{}}, "", ""},
		{protocol.Busy{Reply: []byte("503\n"), AfterInput: true}, "GET / HTTP/1.1\r\n\r\n", "503\n"},
	}
	for i, tt := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel() // each waits lingerTimeout: net.Pipe has no CloseWrite to end the drain early
			r, wg, _ := newTestRejecter(t, tt.busy)
			server, peer := net.Pipe()
			defer peer.Close()
			r.reject(server)
			_ = peer.SetDeadline(time.Now().Add(5 * time.Second))
			if tt.input != "" {
				if _, err := io.WriteString(peer, tt.input); err != nil {
					t.Fatalf("writing the request: %v", err)
				}
			}
			got, err := io.ReadAll(peer)
			if string(got) != tt.want || err != nil {
				t.Errorf("read %q, %v; want %q, nil (then EOF)", got, err, tt.want)
			}
			r.close()
			wg.Wait()
		})
	}
}

// waitUntil polls cond until it holds, failing the test after 10 s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
	}
}
