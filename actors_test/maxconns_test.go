package actors_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
)

// TestMaxConnsBackpressure ensures that at the connection limit the server stops
// accepting: a third client with MaxConns 2 connects (the kernel backlog holds
// it) but is not served, and is served as soon as one of the first two leaves.
func TestMaxConnsBackpressure(t *testing.T) {
	s := startEcho(t, func(cfg *actors.Config) { cfg.MaxConns = 2 })
	first, second := s.dialLines(t), s.dialLines(t)
	first.roundTrip(t, "first", "first")
	second.roundTrip(t, "second", "second")

	third := s.dialLines(t)
	third.send(t, "third")
	expectNoAnswer(t, third, "third client at MaxConns 2")
	second.roundTrip(t, "still served", "still served")

	first.Close()
	third.expect(t, "third")
	third.roundTrip(t, "served", "served")
	second.roundTrip(t, "still served", "still served")
}

// TestMaxConnsClosesIdleFirst ensures that at the connection limit a waiting
// client is admitted by closing the connection that said it is idle (as an HTTP
// keep-alive connection between requests does), not a busy one.
func TestMaxConnsClosesIdleFirst(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) { cfg.MaxConns = 2 })
	idle, busy := s.dialLines(t), s.dialLines(t)
	idle.roundTrip(t, "idle", "idle")
	busy.roundTrip(t, "working", "count 1 working")

	waiting := s.dialLines(t)
	waiting.roundTrip(t, "hello", "count 1 hello")
	idle.expectEOF(t)
	busy.roundTrip(t, "still", "count 2 still")
	s.waitLogLine(t, logLine{"msg": "closing idle connection to admit a waiting client",
		"remote": idle.LocalAddr().String()})
}

// TestMaxConnsClosesSilentFirst ensures a client that has sent nothing yet
// is idle whatever the behavior (the connection says it until the peer
// speaks): at the limit it is closed to admit a waiting client, while one that
// has spoken is kept. (Before, sockets that connected and sent nothing held
// every echo, chat or resp slot until the idle timeout, 5 minutes, and new
// clients waited that long.)
func TestMaxConnsClosesSilentFirst(t *testing.T) {
	for _, b := range []struct {
		name, request, reply string
		greeted              bool // chat's welcome line comes first
	}{
		{"echo", "/who", "/who", false},
		{"chat", "/who", "error: no room joined; /join ROOM first", true},
		{"resp", "PING", "+PONG\r", false},
	} {
		t.Run(b.name, func(t *testing.T) {
			s := startBehavior(t, b.name, func(cfg *actors.Config) { cfg.MaxConns = 2 })
			dial := func() *lineClient {
				c := s.dialLines(t)
				if b.greeted { // and so the connection has started
					if got := readLine(t, c, c.r); !strings.HasPrefix(got, chatGreeting) {
						t.Fatalf("read %q; want the welcome line", got)
					}
				}
				return c
			}
			silent := dial()
			spoke := dial()
			spoke.roundTrip(t, b.request, b.reply)

			waiting := dial()
			waiting.roundTrip(t, b.request, b.reply)
			silent.expectEOF(t)
			spoke.roundTrip(t, b.request, b.reply)
		})
	}
}

// TestMaxConnsKeepsUnreadInput ensures a client that has sent its request,
// which its reader has not read yet, is not taken for silent at the limit: a
// client that connected and spoke at once, its bytes in the kernel's receive
// queue, was closed (reset: it had exchanged nothing) for a newer client and
// its request lost. Here the first connection's reader is held (its
// behavior's Started blocks, and the reader starts after it) while newer
// clients come at -max-conns 1: the first is kept and answered. Queueing, the
// waiting client is admitted when it leaves; rejecting, two clients in turn
// are turned away (the first is not looked at again). (Before, the first was
// closed to admit the second; and, passed over once, for the next.)
func TestMaxConnsKeepsUnreadInput(t *testing.T) {
	for _, atLimit := range []string{actors.AtLimitQueue, actors.AtLimitReject} {
		t.Run(atLimit, func(t *testing.T) {
			entered, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			open := func() { once.Do(func() { close(release) }) }
			var made atomic.Int32
			s := startServer(t, func(cfg *actors.Config) {
				cfg.MaxConns, cfg.AtLimit = 1, atLimit
				cfg.Protocol = func(c protocol.Conn) protocol.Protocol {
					h := &heldStart{conn: c}
					if made.Add(1) == 1 {
						h.entered, h.release = entered, release
					}
					return h
				}
			})
			t.Cleanup(open) // before the server's stop: a failed test does not hold the first connection

			first := s.dialLines(t)
			first.send(t, "first")
			select {
			case <-entered: // accepted, its reader not started, its line in the kernel's queue
			case <-time.After(waitTimeout):
				t.Fatal("the first connection's behavior did not start")
			}
			remote := first.LocalAddr().String()
			closed := logLine{"msg": "closing idle connection to admit a waiting client", "remote": remote}
			kept := logLine{"msg": "not closing a connection with unread input to admit a waiting client", "remote": remote}
			waiting := s.dialLines(t)
			waiting.send(t, "waiting")
			waitFor(t, "the connection supervisor to look at the first connection", func() bool {
				return s.countLogLines(t, closed)+s.countLogLines(t, kept) > 0
			})
			if atLimit == actors.AtLimitReject {
				expectEOF(t, waiting)
				again := s.dialLines(t)
				again.send(t, "again")
				expectEOF(t, again) // turned away (the busy reply): no idle connection
			}
			open()
			first.expect(t, "first")
			if n := s.countLogLines(t, closed); n != 0 {
				t.Fatalf("the first connection was closed for a waiting client (%d lines)", n)
			}
			first.Close()
			if atLimit == actors.AtLimitQueue {
				waiting.expect(t, "waiting")
			}
		})
	}
}

// heldStart echoes; its Started waits for release, if it has one, once it
// has said so on entered.
type heldStart struct {
	conn             protocol.Conn
	entered, release chan struct{}
}

func (h *heldStart) Started() error {
	if h.release != nil {
		close(h.entered)
		<-h.release
	}
	return nil
}
func (h *heldStart) Received(data []byte) error { _, err := h.conn.Write(data); return err }
func (h *heldStart) TimedOut()                  {}

// TestMaxConnsAdmitsBurst ensures room made at the limit is room at once: an
// evicted connection's slot is free as soon as it is closed, not after its
// socket's close-wait (500 ms while the peer neither reads nor closes), and a
// burst of waiting clients is admitted as fast as idle connections can be
// closed. (With -max-conns 100 and 300 idle clients, the server once admitted
// 2 a second: one slot per close-wait.) It checks the order, not the time: each
// evicted client, once it reads the server's FIN, sends a line that its
// socket's drain discards at the close ("unread input discarded at close"),
// and every waiting client is opened before the first of those closes.
func TestMaxConnsAdmitsBurst(t *testing.T) {
	const n = 4
	s := startFaulty(t, func(cfg *actors.Config) { cfg.MaxConns = n })
	idle := make([]*lineClient, n)
	for i := range idle { // idle, and never closing: each eviction's drain lasts its whole linger
		idle[i] = s.dialLines(t)
		idle[i].roundTrip(t, "idle", "idle")
	}
	waiting := make([]*lineClient, n)
	for i := range waiting {
		waiting[i] = s.dialLines(t)
		waiting[i].send(t, "hello")
	}
	for _, c := range idle {
		c.expectEOF(t)
		c.send(t, "late")
	}
	for _, c := range waiting {
		c.expect(t, "count 1 hello")
	}
	s.stop(t)

	firstClosed, lastOpened := -1, -1
	isIdle, isWaiting := map[string]bool{}, map[string]bool{}
	for i := range n {
		isIdle[idle[i].LocalAddr().String()] = true
		isWaiting[waiting[i].LocalAddr().String()] = true
	}
	closed, opened := 0, 0
	for i, l := range s.logLines(t) {
		remote := l["remote"]
		switch {
		case l["msg"] == "unread input discarded at close" && isIdle[remote]:
			if closed++; firstClosed < 0 {
				firstClosed = i
			}
		case l["msg"] == "connection opened" && isWaiting[remote]:
			opened++
			lastOpened = i
		}
	}
	if closed != n || opened != n || lastOpened > firstClosed {
		t.Errorf("%d of %d evicted sockets closed with their late line discarded, the first at log line %d; "+
			"%d of %d waiting clients opened, the last at line %d; want all, every waiting client opened first",
			closed, n, firstClosed, opened, n, lastOpened)
	}
}

// TestMaxConnsSlotHeldUntilSocketClosed ensures -max-conns bounds open sockets:
// a connection the server has stopped keeps its slot while its socket drains
// (the server sent FIN and reads what the peer still sends, for up to 500 ms),
// so the next client is admitted only after that socket is closed.
func TestMaxConnsSlotHeldUntilSocketClosed(t *testing.T) {
	s := startFaulty(t, func(cfg *actors.Config) { cfg.MaxConns = 1 })
	first := s.dialLines(t)
	first.roundTrip(t, "big", "-ERR too large") // TooLarge: Stop, graceful close
	first.send(t, "late")                       // drained and discarded; first stays open

	second := s.dialLines(t)
	second.roundTrip(t, "hello", "count 1 hello")
	s.stop(t)

	discarded, opened := -1, -1
	for i, l := range s.logLines(t) {
		switch {
		case l.matches(logLine{"msg": "unread input discarded at close", "remote": first.LocalAddr().String()}):
			discarded = i
		case l.matches(logLine{"msg": "connection opened", "remote": second.LocalAddr().String()}):
			opened = i
		}
	}
	if discarded < 0 || opened < 0 || opened < discarded {
		t.Errorf("log line of the first socket's close at %d, of the second connection's start at %d; "+
			"want both, the close first", discarded, opened)
	}
}

// expectNoAnswer checks that c, a client held at the connection limit, is not
// answered. The only way to see it is to give the server a while to answer
// (and to look for room, and find none): patience.
func expectNoAnswer(t *testing.T, c *lineClient, who string) {
	t.Helper()
	const patience = 300 * time.Millisecond
	_ = c.SetReadDeadline(time.Now().Add(patience))
	if line, err := c.r.ReadString('\n'); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s: read %q (%v); want no answer within %v", who, line, err, patience)
	}
	_ = c.SetReadDeadline(time.Time{})
}
