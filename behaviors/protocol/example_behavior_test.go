package protocol_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"testing"

	"async_server/actors"
	"async_server/behaviors"
	"async_server/behaviors/protocol"
	"async_server/testkit"
)

// upper is a connection behavior that writes back every byte it receives, in
// upper case. It is the whole of a behavior: a Protocol, made fresh for each
// connection (and after each restart) by the Factory of its Setup.
type upper struct{ conn protocol.Conn }

var _ protocol.Protocol = (*upper)(nil)

// newUpper is upper's constructor, with the signature the registry in package
// behaviors takes. To serve upper as "-behavior upper", put upper and
// newUpper in behaviors/upper.go (package behaviors, where behaviors.Options
// is just Options) and add one line to the registry in behaviors/behaviors.go:
//
//	"upper": newUpper,
func newUpper(behaviors.Options) (protocol.Setup, error) {
	return protocol.Setup{Factory: func(c protocol.Conn) protocol.Protocol { return &upper{conn: c} }}, nil
}

// Received is called with the peer's bytes, in order, on the connection's own
// goroutine: no lock is needed. Its error (or a panic) goes to the supervisor.
func (u *upper) Received(data []byte) error {
	_, err := u.conn.Write(bytes.ToUpper(data))
	return err
}

// TimedOut is called when the peer missed a read deadline, before the close.
func (u *upper) TimedOut() {}

// testUpper is the test of upper over real TCP with package testkit. Put it
// in behaviors/upper_test.go as TestUpper, starting the registered behavior
// with testkit.Start(t, "upper"); here, where upper is not registered, it
// starts upper's Factory with testkit.StartProtocol. (TestUpper runs it.)
func testUpper(t *testing.T) {
	setup, _ := newUpper(behaviors.Options{})
	srv := testkit.StartProtocol(t, setup.Factory) // registered: testkit.Start(t, "upper")
	c := srv.Dial(t)
	c.SendLine("hello")
	c.ExpectLine("HELLO")

	d := c.Inject("Internal") // as a panic in Received would
	if d.Directive != "Restart" || d.Restarts != 1 {
		t.Fatalf("Internal: %s with %d/%d restarts; want Restart with 1", d.Directive, d.Restarts, d.Budget)
	}
	c.SendLine("still here") // the same socket, a fresh upper
	c.ExpectLine("STILL HERE")

	c.Inject("TooLarge") // Stop: the client sees the close
	c.ExpectClosed()
	if e := c.WaitStopped(); e.Reason != "TooLarge" {
		t.Fatalf("stopped because %q; want TooLarge", e.Reason)
	}
}

// Example_addingABehavior adds a behavior, upper, and serves it. In a program
// of your own, actors.Config.Protocol serves a Factory without registering
// it; the test kit does the same (testUpper).
func Example_addingABehavior() {
	setup, _ := newUpper(behaviors.Options{})
	cfg := actors.DefaultConfig()
	cfg.Port = 0                               // any free port
	cfg.Log.File, cfg.Log.Level = "-", "error" // the log on standard error, errors only
	cfg.Protocol = setup.Factory
	srv, err := actors.Start(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { srv.Shutdown(); <-srv.Done() }()

	conn, err := net.Dial("tcp", srv.Addrs()[0].String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Fprintln(conn, "hello, upper")
	line, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(line)
	// Output: HELLO, UPPER
}
