package testkit_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/supervision"
	"async_server/testkit"
)

// shout is a behavior of the test's own: it answers each chunk in upper case,
// and fails with BadRequest (after an error reply) on a chunk that starts
// with "bad".
type shout struct{ conn protocol.Conn }

var _ protocol.Protocol = (*shout)(nil)

func newShout(c protocol.Conn) protocol.Protocol { return &shout{conn: c} }

func (s *shout) Received(data []byte) error {
	if bytes.HasPrefix(data, []byte("bad")) {
		_, _ = s.conn.Write([]byte("ERR bad\n"))
		return supervision.New(supervision.BadRequest, "parse", errors.New("asked to fail"))
	}
	_, err := s.conn.Write(bytes.ToUpper(data))
	return err
}

func (s *shout) TimedOut() {}

// TestStartProtocol ensures a Factory runs over real TCP, and that a failure
// of the behavior's own (not injected) is found both by the server's
// WaitDecision and by the client's, with the socket kept after its restart.
func TestStartProtocol(t *testing.T) {
	srv := testkit.StartProtocol(t, newShout)
	c := srv.Dial(t)
	c.SendLine("hi")
	c.ExpectLine("HI")
	c.SendLine("bad input")
	c.ExpectLine("ERR bad")
	d := srv.WaitDecision(testkit.IsDecision(c.ID(), "BadRequest"))
	if d.Directive != "Restart" || d.Injected || d.Restarts != 1 {
		t.Fatalf("decision %+v; want a Restart, not injected, 1 restart", d)
	}
	if d2 := c.WaitDecision(); d2.Seq != d.Seq {
		t.Fatalf("client's decision #%d; want #%d", d2.Seq, d.Seq)
	}
	c.SendLine("again")
	c.ExpectLine("AGAIN")
	srv.WaitLog("supervision decision", "category=BadRequest", "conn="+c.ID())
}

// TestStartProtocolName ensures a server of StartProtocol does not name its
// behavior http, the default behavior it does not run: its events and its log
// call it custom, unless WithConfig names it.
func TestStartProtocolName(t *testing.T) {
	for _, tt := range []struct {
		opts []testkit.Option
		want string
	}{
		{nil, "custom"},
		{[]testkit.Option{testkit.WithConfig(func(c *actors.Config) { c.Behavior = "shout" })}, "shout"},
	} {
		srv := testkit.StartProtocol(t, newShout, tt.opts...)
		id := srv.Dial(t).ID()
		if e := srv.WaitEvent("accepted", func(e testkit.Event) bool { return e.Kind == "accepted" && e.Actor == id }); e.Behavior != tt.want {
			t.Errorf("accepted event names the behavior %q; want %q", e.Behavior, tt.want)
		}
		srv.WaitLog("listening", "behavior="+tt.want)
		srv.Close()
	}
}

// TestPeerClose ensures the stopped event of a connection its client closed
// says so.
func TestPeerClose(t *testing.T) {
	srv := testkit.Start(t, "echo")
	c := srv.Dial(t)
	c.ID() // accepted
	c.Conn.Close()
	if e := c.WaitStopped(); e.Reason != "peer closed" {
		t.Fatalf("stopped because %q; want peer closed", e.Reason)
	}
}

// fatalTB records the message of Fatalf (and ends its goroutine, as the real
// one does) instead of failing the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// failure runs step with a fatalTB and returns what it failed with ("" if it
// did not).
func failure(t *testing.T, step func(tb testing.TB)) string {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		step(f)
	}()
	<-done
	return f.msg
}

// TestFailureMessages ensures a failed expectation says what was received.
func TestFailureMessages(t *testing.T) {
	srv := testkit.Start(t, "echo", testkit.WithTimeout(2*time.Second))
	for _, tc := range []struct {
		name string
		step func(c *testkit.Client)
		want string
	}{
		{"wrong bytes", func(c *testkit.Client) { c.SendString("abc"); c.ExpectString("xyz") }, `read "abc"; want "xyz"`},
		{"short read", func(c *testkit.Client) { c.SendString("ab"); c.ExpectString("abc") }, `got "ab", want "abc"`},
		{"no line", func(c *testkit.Client) { c.SendString("no newline"); c.ReadLine() }, `got "no newline"`},
		{"still open", func(c *testkit.Client) { c.ExpectClosed() }, "connection still open after 2s"},
		{"sent before close", func(c *testkit.Client) { c.SendString("left"); c.ExpectClosed() }, `read "left"`},
		{"not stopped", func(c *testkit.Client) { c.SendLine("x"); c.WaitStopped() }, "waiting for the connection to stop of conn-"},
		{"unknown category", func(c *testkit.Client) { c.Inject("Boom") }, `unknown category "Boom"`},
	} {
		msg := failure(t, func(tb testing.TB) { tc.step(srv.Dial(tb)) })
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: failed with %q; want it to contain %q", tc.name, msg, tc.want)
		}
	}
}

// quiet is a service actor that does nothing: enough to be declared.
type quiet struct{}

func (quiet) Receive(actor.Context) {}

// TestWithServices ensures the services declared with WithServices run beside
// a StartProtocol behavior, which finds them by name.
func TestWithServices(t *testing.T) {
	srv := testkit.StartProtocol(t, func(c protocol.Conn) protocol.Protocol { return &greeter{shout{conn: c}} },
		testkit.WithServices(protocol.Service{Name: "quiet", New: func() actor.Actor { return quiet{} }}))
	srv.Dial(t).ExpectLine("service: true")
}

// greeter is shout that first says whether it has the quiet service.
type greeter struct{ shout }

var _ protocol.Starter = (*greeter)(nil)

func (g *greeter) Started() error {
	_, err := fmt.Fprintf(g.conn, "service: %v\n", g.conn.Service("quiet") != nil)
	return err
}

// TestCloseEndsServiceStall ensures Close returns promptly after a stall the
// kit lets a test inject into a service (up to actors.MaxStall): the stall
// ends when the shutdown begins. (Close failed with "the server did not stop
// within 20s" while the key space stalled for 30 s.)
func TestCloseEndsServiceStall(t *testing.T) {
	srv := testkit.Start(t, "resp")
	if _, err := srv.Inject("keyspace", actors.Fault{Stall: actors.MaxStall}); err != nil {
		t.Fatalf("Inject(keyspace, stall): %v", err)
	}
	srv.Close()
}

// TestMisuseMessages ensures a kit misused fails the test saying what the
// caller wrote, in the kit's terms: WithConfig(nil) (it panicked), a nil
// Factory (it blamed `-behavior: unknown behavior "custom"`), a bad Config
// field (named by its flag, -max-conns) and an unknown behavior.
func TestMisuseMessages(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(tb testing.TB)
		want  string
	}{
		{"WithConfig(nil)", func(tb testing.TB) { testkit.Start(tb, "echo", testkit.WithConfig(nil)) },
			"testkit: WithConfig(nil): give a function that adjusts the config"},
		{"nil Factory", func(tb testing.TB) { testkit.StartProtocol(tb, nil) },
			"testkit: StartProtocol: the Factory is nil"},
		{"bad field", func(tb testing.TB) {
			testkit.Start(tb, "echo", testkit.WithConfig(func(c *actors.Config) { c.MaxConns = 0 }))
		}, "testkit: starting the server: Config.MaxConns: 0 is not at least 1"},
		{"unknown behavior", func(tb testing.TB) { testkit.Start(tb, "nosuch") },
			`testkit: starting the server: unknown behavior "nosuch"`},
	} {
		var panicked any
		msg := failure(t, func(tb testing.TB) {
			defer func() { panicked = recover() }()
			tc.start(tb)
		})
		if panicked != nil {
			msg = fmt.Sprintf("panic: %v", panicked)
		}
		if !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%s: failed with %q; want it to start with %q", tc.name, msg, tc.want)
		}
	}
}
