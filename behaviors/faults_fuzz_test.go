package behaviors

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/behaviors/protocol"
	"async_server/supervision"
)

// lineConn records what a behavior writes and hands back; no sockets.
type lineConn struct {
	out    bytes.Buffer
	unread []byte
}

var _ protocol.Conn = (*lineConn)(nil)

func (c *lineConn) Write(p []byte) (int, error)           { return c.out.Write(p) }
func (c *lineConn) SetReadDeadline(time.Time)             {}
func (c *lineConn) Close()                                {}
func (c *lineConn) SetIdle(bool)                          {}
func (c *lineConn) SuspendIdleTimeout(bool)               {}
func (c *lineConn) Unread(p []byte)                       { c.unread = append([]byte(nil), p...) }
func (c *lineConn) Hold(int)                              {}
func (c *lineConn) Service(string) *actor.PID             { return nil }
func (c *lineConn) Send(*actor.PID, any)                  {}
func (c *lineConn) Request(*actor.PID, any) uint64        { return 0 }
func (c *lineConn) Watch(*actor.PID)                      {}
func (c *lineConn) ID() string                            { return "conn-1" }
func (c *lineConn) RemoteAddr() net.Addr                  { return &net.TCPAddr{} }
func (c *lineConn) LocalAddr() net.Addr                   { return &net.TCPAddr{} }
func (c *lineConn) Log() *logrus.Entry                    { return logrus.NewEntry(logrus.New()) }
func (c *lineConn) LogFailure(logrus.Level) *logrus.Entry { return c.Log() }

// feedFaults hands each read to one faults behavior, as its connection would,
// until one fails, and returns what it wrote, what it handed back, and the
// failure's category ("" if none; a panic is Internal).
func feedFaults(t *testing.T, reads ...[]byte) (out, unread []byte, failed string) {
	c := &lineConn{}
	f := &faults{conn: c}
	for _, data := range reads {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = supervision.New(supervision.Internal, "behavior", fmt.Errorf("%v", r))
				}
			}()
			return f.Received(data)
		}()
		if len(f.partial) > maxFaultsLine {
			t.Fatalf("holds %d bytes of a line; at most %d", len(f.partial), maxFaultsLine)
		}
		if err != nil {
			var se *supervision.Error
			if !errors.As(err, &se) {
				t.Fatalf("failure %v is not categorized", err)
			}
			return c.out.Bytes(), c.unread, se.Category.String()
		}
	}
	return c.out.Bytes(), nil, ""
}

// FuzzFaultsLines ensures the faults behavior's line splitting does not
// depend on how input is split into reads: the same replies, the same
// failure, and the same input handed back; and it never holds more than
// maxFaultsLine of a line.
//
//	go test -run '^$' -fuzz FuzzFaultsLines -fuzztime 30s ./behaviors/
func FuzzFaultsLines(f *testing.F) {
	f.Add([]byte("hello\nworld\n"), uint16(3))
	f.Add([]byte("a\r\npanic\nb\nbad\nc"), uint16(9))
	f.Add([]byte("big\nx\n"), uint16(0))
	f.Add(append(bytes.Repeat([]byte("y"), maxFaultsLine), "\nz\n"...), uint16(4000))
	f.Add(bytes.Repeat([]byte("q"), maxFaultsLine+1), uint16(maxFaultsLine))
	f.Fuzz(func(t *testing.T, input []byte, at uint16) {
		split := int(at) % (len(input) + 1)
		out1, unread1, failed1 := feedFaults(t, input)
		out2, unread2, failed2 := feedFaults(t, input[:split], input[split:])
		if failed1 != failed2 || !bytes.Equal(out1, out2) {
			t.Fatalf("split at %d: wrote %q, failed %q; in one read %q, failed %q", split, out2, failed2, out1, failed1)
		}
		// Handed back: the rest of the read that failed. When the split
		// falls after the failing line, that read ended at the split, and
		// the successor gets the next read as it comes.
		if failed1 != "" && !bytes.HasPrefix(unread1, unread2) {
			t.Fatalf("split at %d: handed back %q; in one read %q", split, unread2, unread1)
		}
	})
}
