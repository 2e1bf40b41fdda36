package actors_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/messages"
	"async_server/supervision"
)

// This file tests the service side of the actor tree with a behavior and a
// service of its own: relay sends every line its peer sends to the "upper"
// service as a Request and writes each reply; upper answers in upper case, and
// the test steers it through Server.Ask.

// relay is a message-driven behavior: every line is a Request to "upper", and
// every reply (or bulk message) is written to the peer.
type relay struct {
	conn    protocol.Conn
	foreign *foreignLog // records behavior code found running on another actor's goroutine
	partial []byte
}

func (r *relay) Received(data []byte) error {
	r.partial = append(r.partial, data...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			return nil
		}
		line := string(r.partial[:i])
		r.partial = r.partial[i+1:]
		if rest, ok := strings.CutPrefix(line, "nobody "); ok {
			// A request to a service there is not (Service returns nil):
			// nothing will answer it, so relay says so itself.
			r.conn.Request(r.conn.Service("nobody"), rest)
			if _, err := r.conn.Write([]byte("unanswered " + rest + "\n")); err != nil {
				return err
			}
			continue
		}
		r.conn.Request(r.conn.Service("upper"), line)
	}
}

func (r *relay) HandleMessage(msg any) error {
	r.foreign.check()
	var out []byte
	switch m := msg.(type) {
	case *messages.ServiceReply:
		if m.Body == "BOOM" { // a reply the behavior fails on (BadRequest: restart)
			return supervision.New(supervision.BadRequest, "reply", errors.New("boom"))
		}
		out = []byte(m.Body.(string) + "\n")
	case *bulk:
		out = m.Data
	default:
		return nil
	}
	_, err := r.conn.Write(out)
	return err
}

func (r *relay) TimedOut() {}

// upper is the service relay talks to. While holding, it keeps requests
// unanswered; its other messages come from the test (Server.Ask).
type upper struct {
	holding bool
	held    []heldRequest
	conns   map[string]*actor.PID // every connection that asked, by PID id
}

type heldRequest struct {
	from *actor.PID
	req  *messages.ServiceRequest
}

// Messages the test sends to upper through Server.Ask; each is answered.
type (
	holdRequests    struct{}
	releaseRequests struct{}
	countRequests   struct{} // answered with the number held
	crashService    struct{} // panics (after answering)
	floodConns      struct{ N, Size int }
	bulk            struct{ Data []byte } // upper -> connection
)

// Size counts a bulk message against the connection's output limit.
func (b *bulk) Size() int { return len(b.Data) }

func (u *upper) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ServiceRequest:
		u.conns[ctx.Sender().Id] = ctx.Sender()
		if u.holding {
			u.held = append(u.held, heldRequest{ctx.Sender(), m})
			return
		}
		ctx.Respond(&messages.ServiceReply{ID: m.ID, Body: strings.ToUpper(m.Body.(string))})
	case *holdRequests:
		u.holding = true
		ctx.Respond(true)
	case *releaseRequests:
		u.holding = false
		for _, h := range u.held {
			ctx.Send(h.from, &messages.ServiceReply{ID: h.req.ID, Body: strings.ToUpper(h.req.Body.(string))})
		}
		u.held = nil
		ctx.Respond(true)
	case *countRequests:
		ctx.Respond(len(u.held))
	case *crashService:
		ctx.Respond(true)
		panic("upper: crash requested by the test")
	case *floodConns:
		for _, c := range u.conns {
			for range m.N {
				ctx.Send(c, &bulk{Data: bytes.Repeat([]byte("b"), m.Size)})
			}
		}
		ctx.Respond(true)
	}
}

// startRelay starts a server whose connections run relay over an upper service.
// Every relay checks that no service's code is on its stack; the test fails at
// its end if one was.
func startRelay(t testing.TB, configure func(*actors.Config)) *testServer {
	t.Helper()
	foreign := &foreignLog{}
	t.Cleanup(func() {
		if st := foreign.String(); st != "" {
			t.Errorf("message-driven behavior code ran on another actor's goroutine:\n%s", st)
		}
	})
	return startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &relay{conn: c, foreign: foreign} }
		cfg.Services = []protocol.Service{{Name: "upper", New: func() actor.Actor {
			return &upper{conns: make(map[string]*actor.PID)}
		}}}
		if configure != nil {
			configure(cfg)
		}
	})
}

// ask asks the upper service msg and returns its answer.
func (s *testServer) ask(t testing.TB, msg any) any {
	t.Helper()
	res, err := s.Ask("upper", msg, waitTimeout)
	if err != nil {
		t.Fatalf("Ask(upper, %T): %v", msg, err)
	}
	return res
}

// TestServiceRepliesInInputOrder ensures pipelined input answered through a
// service comes back in input order, over many reads.
func TestServiceRepliesInInputOrder(t *testing.T) {
	s := startRelay(t, nil)
	c := s.dialLines(t)
	const lines = 5000
	var all bytes.Buffer
	for i := range lines {
		fmt.Fprintf(&all, "line %d\n", i)
	}
	written := make(chan error, 1)
	go func() { written <- writeInPieces(c, all.Bytes(), 1, 3000) }()
	for i := range lines {
		c.expect(t, fmt.Sprintf("LINE %d", i))
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
}

// TestServiceInFlightBound ensures a connection stops reading while its
// requests go unanswered: with the service holding every request, a client that
// keeps sending is pushed back by TCP, the service holds no more than
// MaxInFlight plus what one read carried, and once the service answers, every
// line is answered in order.
func TestServiceInFlightBound(t *testing.T) {
	s := startRelay(t, nil)
	s.ask(t, &holdRequests{})
	c := s.dialLines(t)
	// A small send buffer: what the kernel holds of the stalled write is read
	// back line by line at the end (a default buffer autotunes to MBs, 120 000
	// lines and most of this test's time); the stall is the server's doing.
	if err := c.Conn.(*net.TCPConn).SetWriteBuffer(8 << 10); err != nil {
		t.Fatal(err)
	}
	const line = "0123456789abcdef0123456789abcdef" // 33 bytes with its newline
	payload := []byte(strings.Repeat(line+"\n", 200_000))
	_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second)) // stalling is what is expected
	n, err := c.Write(payload)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("writing %d bytes to a connection whose requests are held: wrote %d, %v; want a stall",
			len(payload), n, err)
	}
	held := s.ask(t, &countRequests{}).(int)
	if most := protocol.MaxInFlight + 16<<10/len(line+"\n") + 1; held < protocol.MaxInFlight || held > most {
		t.Errorf("service holds %d requests; want from %d to %d", held, protocol.MaxInFlight, most)
	}
	s.ask(t, &releaseRequests{})
	complete := n / len(line+"\n")
	for i := range complete {
		if got := readLine(t, c, c.r); got != strings.ToUpper(line) {
			t.Fatalf("reply %d = %q; want %q", i, got, strings.ToUpper(line))
		}
	}
}

// TestRequestToNoService ensures a Request to a nil PID (a service name the
// behavior did not declare) is not counted in flight: nothing can answer
// it, so counted it would hold the connection's input back for good once
// MaxInFlight of them were sent.
func TestRequestToNoService(t *testing.T) {
	s := startRelay(t, nil)
	c := s.dialLines(t)
	for i := range protocol.MaxInFlight + 8 {
		c.roundTrip(t, fmt.Sprintf("nobody %d", i), fmt.Sprintf("unanswered %d", i))
	}
	c.roundTrip(t, "still read", "STILL READ")
}

// TestServiceCrashKeepsConnections ensures a service that panics is restarted
// by the services supervisor, the decision is logged, and the connections that
// use it stay up and are served by the fresh instance.
func TestServiceCrashKeepsConnections(t *testing.T) {
	s := startRelay(t, nil)
	c := s.dialLines(t)
	c.roundTrip(t, "before", "BEFORE")
	s.ask(t, &crashService{})
	s.waitLogLine(t, logLine{"msg": "supervision decision", "service": "upper", "category": "Internal",
		"directive": "Restart"})
	c.roundTrip(t, "after", "AFTER")
}

// TestServiceSlowConsumerClosed ensures a service that sends to a connection
// whose peer never reads neither blocks nor makes the server buffer without
// end: past the output limit the connection is closed, with a log line naming
// it, and another connection of the same service is still served.
func TestServiceSlowConsumerClosed(t *testing.T) {
	s := startRelay(t, func(cfg *actors.Config) { cfg.OutputLimit = 1 << 20 })
	slow, other := s.dialLines(t), s.dialLines(t)
	slow.roundTrip(t, "hi", "HI") // the service now knows both
	other.roundTrip(t, "hi", "HI")
	// Rounds of 512 KiB to both: other reads each round, slow never does. Once
	// the kernel's socket buffers are full (some MB on loopback), slow's queue
	// grows by a round at a time, and past 1 MiB it is closed.
	overflowed := logLine{"msg": "output limit exceeded; closing the connection", "remote": slow.LocalAddr().String()}
	const round = 8 * 64 << 10
	for i := 0; i < 200 && s.countLogLines(t, overflowed) == 0; i++ {
		s.ask(t, &floodConns{N: 8, Size: 64 << 10})
		_ = other.SetReadDeadline(time.Now().Add(waitTimeout))
		if got, err := other.r.Discard(round); err != nil {
			t.Fatalf("round %d: the reading connection read %d bytes of %d, then %v", i, got, round, err)
		}
	}
	other.roundTrip(t, "still", "STILL")
	s.waitLogLine(t, overflowed)
	expectEOF(t, slow)
}

// TestServiceReplyOwedAtShutdown ensures a connection told to finish at
// shutdown still writes the replies it is owed for input it had received: the
// services outlive the connections, and the connection waits for its answers.
func TestServiceReplyOwedAtShutdown(t *testing.T) {
	s := startRelay(t, nil)
	s.ask(t, &holdRequests{})
	c := s.dialLines(t)
	c.send(t, "owed")
	waitFor(t, "the service to hold the request", func() bool { return s.ask(t, &countRequests{}).(int) == 1 })
	s.Shutdown() // the connection is told to finish while its reply is owed
	s.waitLogLine(t, logLine{"msg": "shutdown started"})
	s.ask(t, &releaseRequests{})
	c.expect(t, "OWED")
	c.expectEOF(t)
	s.stop(t)
}

// TestServiceFailureWhileFinishing ensures a connection that fails on the reply
// it waited for at shutdown (and is restarted) still finishes at once, rather
// than waiting for the shutdown timeout to force it.
func TestServiceFailureWhileFinishing(t *testing.T) {
	s := startRelay(t, func(cfg *actors.Config) { cfg.ShutdownTimeout = 2 * waitTimeout })
	s.ask(t, &holdRequests{})
	c := s.dialLines(t)
	c.send(t, "boom")
	waitFor(t, "the service to hold the request", func() bool { return s.ask(t, &countRequests{}).(int) == 1 })
	s.Shutdown()
	s.waitLogLine(t, logLine{"msg": "shutdown started"})
	s.ask(t, &releaseRequests{}) // the reply BOOM fails the behavior: restart while finishing
	c.expectEOF(t)
	s.stop(t)
	checkFields(t, s.waitLogLine(t, logLine{"msg": "shutdown report"}), logLine{"forced": "0", "graceful": "1"})
}
