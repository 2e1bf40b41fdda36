package resp_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"async_server/actors"
)

// TestIdleTimeoutSparesWaitingClients ensures the idle timeout closes no
// client that waits for the server, as Redis's timeout skips blocked and
// subscribed clients: a SUBSCRIBE and a BLPOP with no timeout outlive it,
// get what they wait for, and the BLPOP's client, served, is idle again and
// closed. Two clients that connect after them and say nothing are the
// clock: once both are closed, the waiting ones have been idle longer.
// Before, both were closed with the idle ones.
func TestIdleTimeoutSparesWaitingClients(t *testing.T) {
	srv := startResp(t, func(c *actors.Config) { c.IdleTimeout = 300 * time.Millisecond })
	sub := dialWaiting(t, srv.Addr, "SUBSCRIBE news\r\n", "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n")
	blocked := dialWaiting(t, srv.Addr, "BLPOP jobs 0\r\n", "")
	for range 2 {
		idle := dialWaiting(t, srv.Addr, "", "")
		expectEOF(t, idle)
	}

	pub := dialWaiting(t, srv.Addr, "PUBLISH news hello\r\nRPUSH jobs job-1\r\n", ":1\r\n:1\r\n")
	pub.c.Close()
	expectReply(t, sub, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
	expectReply(t, blocked, "*2\r\n$4\r\njobs\r\n$5\r\njob-1\r\n")
	expectEOF(t, blocked) // served: idle again, and the idle timeout applies
}

// dialWaiting connects to addr (dialRESP), sends send and reads want (if
// not empty).
func dialWaiting(t *testing.T, addr, send, want string) *respConn {
	t.Helper()
	rc := dialRESP(t, addr)
	if send != "" {
		if _, err := io.WriteString(rc.c, send); err != nil {
			t.Fatal(err)
		}
	}
	if want != "" {
		expectReply(t, rc, want)
	}
	return rc
}

// expectReply reads len(want) bytes and fails unless they are want.
func expectReply(t *testing.T, w *respConn, want string) {
	t.Helper()
	_ = w.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(w.r, got); err != nil || !bytes.Equal(got, []byte(want)) {
		t.Fatalf("read %q, %v; want %q", got, err, want)
	}
}

// expectEOF fails unless the server closes w, with nothing more to read,
// within 10 s.
func expectEOF(t *testing.T, w *respConn) {
	t.Helper()
	_ = w.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := w.r.ReadByte(); err != io.EOF {
		t.Fatalf("read %q, %v; want the server to close the connection", b, err)
	}
}
