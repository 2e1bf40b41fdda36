package protocol_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/messages"
	"async_server/testkit"
)

// A message-driven behavior keeps what connections share (a count here; rooms,
// a key space, subscriptions elsewhere) in a service actor, and talks to it by
// messages. Package chat is the full-sized example; this is the pattern in one
// file: every line a client sends adds one to a count all clients share, and
// the client is told the new total.

// counterService is the service's name: the tree spawns it at start as
// root/services/counter, supervised by the same table as every actor.
const counterService = "counter"

// add is a request to the service: plain data, sent as a pointer.
type add struct{ N int }

// counter is the service actor. It never blocks and answers every request
// with exactly one ServiceReply of the same ID.
type counter struct{ total int }

func (s *counter) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ServiceRequest:
		if a, ok := m.Body.(*add); ok {
			s.total += a.N
		}
		ctx.Respond(&messages.ServiceReply{ID: m.ID, Body: s.total})
	}
}

// counterSetup declares the service beside the Factory of the connections'
// behavior.
func counterSetup() protocol.Setup {
	return protocol.Setup{
		Factory: func(c protocol.Conn) protocol.Protocol {
			return &tally{conn: c, counter: c.Service(counterService)}
		},
		Services: []protocol.Service{{Name: counterService, New: func() actor.Actor { return &counter{} }}},
	}
}

// tally is one connection's behavior. Received and HandleMessage run on the
// connection's own goroutine, one at a time: no lock.
type tally struct {
	conn    protocol.Conn
	counter *actor.PID
}

var (
	_ protocol.Protocol       = (*tally)(nil)
	_ protocol.MessageHandler = (*tally)(nil)
)

// Received asks the service to add one per line. Nothing waits for the
// answer: it comes to HandleMessage. (A behavior whose later input must wait
// for an answer holds it until the answer comes, as chat does.)
func (t *tally) Received(data []byte) error {
	for range bytes.Count(data, []byte("\n")) {
		t.conn.Request(t.counter, &add{N: 1})
	}
	return nil
}

// HandleMessage gets every message other actors send the connection: here the
// service's replies.
func (t *tally) HandleMessage(msg any) error {
	if r, ok := msg.(*messages.ServiceReply); ok {
		_, err := fmt.Fprintf(t.conn, "total %d\n", r.Body)
		return err
	}
	return nil
}

func (t *tally) TimedOut() {}

// testTally is tally's test with package testkit (TestTally runs it): the
// count lives in the service, so a connection's restart keeps it.
func testTally(t *testing.T) {
	setup := counterSetup()
	srv := testkit.StartProtocol(t, setup.Factory, testkit.WithServices(setup.Services...))
	a, b := srv.Dial(t), srv.Dial(t)
	a.SendLine("x")
	a.ExpectLine("total 1")
	b.SendLine("y")
	b.ExpectLine("total 2")
	if d := a.Inject("Internal"); d.Directive != "Restart" {
		t.Fatalf("Internal: %s; want Restart", d.Directive)
	}
	a.SendLine("z") // a fresh tally; the count was never its own
	a.ExpectLine("total 3")
}

// Example_messageDriven serves tally to two clients, one after the other: the
// second sees the first one's line counted.
func Example_messageDriven() {
	setup := counterSetup()
	cfg := actors.DefaultConfig()
	cfg.Port = 0
	cfg.Log.File, cfg.Log.Level = "-", "error"
	cfg.Protocol, cfg.Services = setup.Factory, setup.Services
	srv, err := actors.Start(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { srv.Shutdown(); <-srv.Done() }()

	for _, line := range []string{"first", "second"} {
		conn, err := net.Dial("tcp", srv.Addrs()[0].String())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Fprintln(conn, line)
		reply, _ := bufio.NewReader(conn).ReadString('\n')
		fmt.Print(reply)
		conn.Close()
	}
	// Output:
	// total 1
	// total 2
}
