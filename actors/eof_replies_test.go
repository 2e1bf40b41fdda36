package actors

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/protocol"
	"async_server/messages"
)

// asker is a behavior that asks the service "mute" a question per read and
// writes "asked\n"; the answers never come.
type asker struct{ conn protocol.Conn }

func (a *asker) Received([]byte) error {
	a.conn.Request(a.conn.Service("mute"), "question")
	_, err := a.conn.Write([]byte("asked\n"))
	return err
}
func (a *asker) TimedOut()               {}
func (a *asker) HandleMessage(any) error { return nil }

// mute is a service that never answers.
type mute struct{}

func (mute) Receive(actor.Context) {}

// TestRepliesOverdueAfterEOF ensures a connection whose peer has closed its
// side waits for the replies it owes only so long (replyWait): a service that
// lost the request must not hold the connection open for ever.
func TestRepliesOverdueAfterEOF(t *testing.T) {
	old := replyWait
	replyWait = 300 * time.Millisecond
	t.Cleanup(func() { replyWait = old })
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &asker{conn: c} }
	cfg.Services = []protocol.Service{{Name: "mute", New: func() actor.Actor { return mute{} }}}
	srv, c := startAndDial(t, cfg)
	defer stopAndWait(t, srv)
	if _, err := c.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	took := time.Since(start)
	if err != nil || string(got) != "asked\n" {
		t.Fatalf("read %q, %v; want %q and the close", got, err, "asked\n")
	}
	if took < replyWait {
		t.Fatalf("closed after %v, before replyWait (%v): it did not wait for the reply owed", took, replyWait)
	}
}

// answerer is a behavior that asks the service "gate" a question per read
// and writes each answer twice: after a peer's reset, the second write fails
// for sure.
type answerer struct{ conn protocol.Conn }

func (a *answerer) Received([]byte) error {
	a.conn.Request(a.conn.Service("gate"), "question")
	return nil
}
func (a *answerer) TimedOut() {}
func (a *answerer) HandleMessage(m any) error {
	if _, ok := m.(*messages.ServiceReply); !ok {
		return nil
	}
	for range 2 {
		if _, err := a.conn.Write([]byte("answer\n")); err != nil {
			return err
		}
	}
	return nil
}

// gate is a service that answers each request once open is closed.
type gate struct{ open <-chan struct{} }

func (g gate) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(*messages.ServiceRequest); ok {
		<-g.open
		ctx.Respond(&messages.ServiceReply{ID: m.ID})
	}
}

// TestWriteAfterPeerClosedIsNoFailure ensures a reply owed after the peer's
// EOF that finds the peer gone (it reset the connection meanwhile) ends the
// connection quietly: the peer closed it, so a failed write is no news and
// no ConnectionFailed decision is logged.
func TestWriteAfterPeerClosedIsNoFailure(t *testing.T) {
	open := make(chan struct{})
	cfg := DefaultConfig()
	cfg.Port = 0
	cfg.Log.File = filepath.Join(t.TempDir(), "server.log")
	cfg.Log.Level = "debug" // for "connection closed by peer"
	cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &answerer{conn: c} }
	cfg.Services = []protocol.Service{{Name: "gate", New: func() actor.Actor { return gate{open: open} }}}
	srv, c := startAndDial(t, cfg)
	if _, err := c.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil { // the server reads its EOF, and owes the answer
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(readLog(t, cfg.Log.File), "connection closed by peer") })
	_ = c.(*net.TCPConn).SetLinger(0)
	c.Close() // a reset: the answer will find the peer gone
	close(open)
	stopAndWait(t, srv)
	if log := readLog(t, cfg.Log.File); strings.Contains(log, "supervision decision") {
		t.Errorf("a decision about a write to a peer that had closed:\n%s", log)
	}
}

// readLog returns the log file at path.
func readLog(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
