package behaviors

import (
	"bytes"
	"errors"
	"fmt"

	"async_server/behaviors/protocol"
	"async_server/supervision"
)

// faults is a connection behavior for breaking the server on purpose: a line
// protocol whose commands fail in each category of the supervision table, so a
// student can watch the supervisor react in server.log (-behavior faults, then
// nc). Each line is a command:
//
//	panic  panics: Internal, Restart (socket kept, the count starts again)
//	bad    replies "-ERR bad request": BadRequest, Restart
//	lost   replies "-ERR framing lost": BadRequest with framing lost, Stop
//	big    replies "-ERR too large": TooLarge, Stop
//	other  replies "count N: other", N counting the lines this incarnation answered
//
// More than 3 restarts within 10 s and the connection is stopped. A failing
// command hands the lines behind it back to the connection (Conn.Unread), so
// after a restart the fresh behavior answers them: a client that pipelines
// commands loses only the one that failed.
type faults struct {
	conn    protocol.Conn
	lines   int    // lines answered by this incarnation: the state a restart resets
	partial []byte // the start of a line whose newline has not arrived yet
}

var _ protocol.Protocol = (*faults)(nil)

// errRequested is the cause of every failure a peer asks for.
var errRequested = errors.New("failure requested by the peer")

func newFaults(Options) (protocol.Setup, error) {
	return protocol.Setup{Factory: func(c protocol.Conn) protocol.Protocol { return &faults{conn: c} },
		Busy: protocol.Busy{Reply: []byte("-ERR max number of clients reached\n")}}, nil // Redis's words
}

// Received runs every complete line as a command, in order.
func (f *faults) Received(data []byte) error {
	f.partial = append(f.partial, data...)
	for {
		i := bytes.IndexByte(f.partial, '\n')
		if i < 0 {
			return nil
		}
		line := string(bytes.TrimSuffix(f.partial[:i], []byte("\r")))
		f.partial = f.partial[i+1:]
		if err := f.run(line); err != nil {
			f.conn.Unread(f.partial)
			return err
		}
	}
}

func (f *faults) run(line string) error {
	switch line {
	case "panic":
		f.conn.Unread(f.partial)
		panic("faults: panic requested")
	case "bad":
		return f.fail("-ERR bad request", supervision.New(supervision.BadRequest, "parse", errRequested))
	case "lost":
		err := supervision.New(supervision.BadRequest, "parse", errRequested)
		err.FramingLost = true
		return f.fail("-ERR framing lost", err)
	case "big":
		return f.fail("-ERR too large", supervision.New(supervision.TooLarge, "parse", errRequested))
	}
	f.lines++
	_, err := fmt.Fprintf(f.conn, "count %d: %s\n", f.lines, line)
	return err
}

// fail writes reply, the protocol's error reply, and returns err.
func (f *faults) fail(reply string, err error) error {
	if _, werr := f.conn.Write([]byte(reply + "\n")); werr != nil {
		return werr
	}
	return err
}

// Held implements protocol.Holder: a line whose newline has not arrived.
func (f *faults) Held() []byte { return f.partial }

// TimedOut says so before the connection closes.
func (f *faults) TimedOut() { _, _ = f.conn.Write([]byte("-ERR idle timeout\n")) }
