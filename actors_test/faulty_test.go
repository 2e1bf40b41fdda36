package actors_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/supervision"
)

// faulty is a connection behavior for tests: a line protocol that fails on
// command, so that a test can drive every row of the supervision table over real
// TCP. It is also the model for testing a new behavior: a protocol.Protocol, a
// protocol.Factory handed to the server as cfg.Protocol (no registry entry
// needed), and tests that talk to it through the harness.
//
// Every line the peer sends is a command:
//
//	panic  panics (Internal: Restart)
//	bad    replies "-ERR bad", fails with BadRequest (Restart)
//	lost   replies "-ERR lost", fails with BadRequest with framing lost (Stop)
//	big    replies "-ERR too large", fails with TooLarge (Stop)
//	flood  writes until a write fails, and fails with the write's error
//	block  replies "blocking", then blocks until the factory's release is closed
//	deadline  replies "deadline" and asks for the next bytes within 200 ms
//	idle   replies "idle" and tells the connection it is idle (Conn.SetIdle);
//	       any other line makes it busy again
//	other  replies "count N other", where N counts the lines this instance has
//	       answered: a restart (a fresh instance) starts again at 1
//
// It also logs every chunk it receives as a field, as a careless behavior might.
type faulty struct {
	conn    protocol.Conn
	release <-chan struct{}
	lines   int    // lines answered by this instance: the state a restart resets
	partial []byte // the start of a line whose newline has not arrived yet
}

var _ protocol.Protocol = (*faulty)(nil)

// faultyDeadline is the read deadline the "deadline" command sets.
const faultyDeadline = 200 * time.Millisecond

// errRequested is the cause of every failure a test asks faulty for.
var errRequested = errors.New("failure requested by the test")

// faultyFactory returns a Factory of faulty behaviors; "block" waits on release.
func faultyFactory(release <-chan struct{}) protocol.Factory {
	return func(c protocol.Conn) protocol.Protocol { return &faulty{conn: c, release: release} }
}

// startFaulty starts a server whose connections run faulty. configure, if not
// nil, adjusts the config further.
func startFaulty(t testing.TB, configure func(*actors.Config)) *testServer {
	t.Helper()
	return startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = faultyFactory(nil)
		if configure != nil {
			configure(cfg)
		}
	})
}

// Received answers every complete line, in order.
func (f *faulty) Received(data []byte) error {
	f.conn.Log().WithField("data", string(data)).Debug("faulty received")
	f.partial = append(f.partial, data...)
	for {
		i := bytes.IndexByte(f.partial, '\n')
		if i < 0 {
			return nil
		}
		line := string(f.partial[:i])
		f.partial = f.partial[i+1:]
		if err := f.command(line); err != nil {
			f.conn.Unread(f.partial) // the lines behind the failing one go to the fresh instance
			return err
		}
	}
}

func (f *faulty) command(line string) error {
	if line != "idle" {
		f.conn.SetIdle(false)
	}
	switch line {
	case "panic":
		f.conn.Unread(f.partial)
		panic("faulty: panic requested")
	case "bad":
		return f.fail("-ERR bad", supervision.New(supervision.BadRequest, "parse", errRequested))
	case "lost":
		err := supervision.New(supervision.BadRequest, "parse", errRequested)
		err.FramingLost = true
		return f.fail("-ERR lost", err)
	case "big":
		return f.fail("-ERR too large", supervision.New(supervision.TooLarge, "parse", errRequested))
	case "flood":
		chunk := bytes.Repeat([]byte("flood\n"), 10<<10)
		for {
			if _, err := f.conn.Write(chunk); err != nil {
				return err
			}
		}
	case "block":
		if _, err := f.conn.Write([]byte("blocking\n")); err != nil {
			return err
		}
		<-f.release
		return nil
	case "idle":
		_, err := f.conn.Write([]byte("idle\n"))
		f.conn.SetIdle(true) // after its reply: idle means it owes the peer nothing
		return err
	case "deadline":
		f.conn.SetReadDeadline(time.Now().Add(faultyDeadline))
		_, err := f.conn.Write([]byte("deadline\n"))
		return err
	}
	f.lines++
	_, err := fmt.Fprintf(f.conn, "count %d %s\n", f.lines, line)
	return err
}

// fail writes reply as the protocol's error reply and returns err.
func (f *faulty) fail(reply string, err error) error {
	if _, werr := f.conn.Write([]byte(reply + "\n")); werr != nil {
		return werr
	}
	return err
}

// TimedOut replies "-ERR timeout": the protocol's last word before the close.
func (f *faulty) TimedOut() {
	_, _ = f.conn.Write([]byte("-ERR timeout\n"))
}
