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
//	help   lists these commands (not counted)
//	other  replies "count N: other", N counting the lines this incarnation answered
//
// A line over maxFaultsLine replies "-ERR line too long" and is TooLarge, Stop:
// the connection holds at most that much of a line whose newline has not come.
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

// faultsHelp answers "help": every command and the decision it causes.
const faultsHelp = "commands: panic (Internal: Restart), bad (BadRequest: Restart), " +
	"lost (BadRequest, framing lost: Stop), big (TooLarge: Stop), help; any other line comes back counted\n"

// maxFaultsLine bounds one line: a command, not a file.
const maxFaultsLine = 4 << 10

var (
	// errRequested is the cause of every failure a peer asks for.
	errRequested   = errors.New("failure requested by the peer")
	errLineTooLong = fmt.Errorf("line over %d bytes", maxFaultsLine)
)

func newFaults(Options) (protocol.Setup, error) {
	return protocol.Setup{Factory: func(c protocol.Conn) protocol.Protocol { return &faults{conn: c} },
		Busy: protocol.Busy{Reply: []byte("-ERR max number of clients reached\n")}}, nil // Redis's words
}

// Received runs every complete line as a command, in order. Each byte is
// looked at once: a line's start waits in partial for its newline.
func (f *faults) Received(data []byte) error {
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(f.partial)+len(data) > maxFaultsLine {
				return f.tooLong()
			}
			f.partial = append(f.partial, data...)
			return nil
		}
		if len(f.partial)+i > maxFaultsLine {
			return f.tooLong()
		}
		line := string(bytes.TrimSuffix(append(f.partial, data[:i]...), []byte("\r")))
		f.partial, data = f.partial[:0], data[i+1:]
		if err := f.run(line, data); err != nil {
			f.conn.Unread(data) // the lines behind it, for the next incarnation
			return err
		}
	}
}

// tooLong fails the connection whose line passed maxFaultsLine.
func (f *faults) tooLong() error {
	return f.fail("-ERR line too long", supervision.New(supervision.TooLarge, "parse", errLineTooLong))
}

// run runs one command; rest is the input behind it.
func (f *faults) run(line string, rest []byte) error {
	switch line {
	case "panic":
		f.conn.Unread(rest)
		panic("faults: panic requested")
	case "bad":
		return f.fail("-ERR bad request", supervision.New(supervision.BadRequest, "parse", errRequested))
	case "lost":
		err := supervision.New(supervision.BadRequest, "parse", errRequested)
		err.FramingLost = true
		return f.fail("-ERR framing lost", err)
	case "big":
		return f.fail("-ERR too large", supervision.New(supervision.TooLarge, "parse", errRequested))
	case "help":
		_, err := f.conn.Write([]byte(faultsHelp))
		return err
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
