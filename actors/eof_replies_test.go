package actors

import (
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/behaviors/protocol"
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
