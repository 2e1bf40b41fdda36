package testkit_test

import (
	"testing"

	"async_server/internal/leakcheck"
	"async_server/testkit"
)

// TestMain fails the run if a goroutine outlives the tests.
func TestMain(m *testing.M) { leakcheck.VerifyTestMain(m) }

// Example is a whole test of a behavior with the kit; TestExample runs it.
// (An example cannot run by itself: the kit needs a test's testing.TB.)
func Example() {
	var t *testing.T // your test's own t

	srv := testkit.Start(t, "echo") // 127.0.0.1:0, log in t.TempDir(), shut down at the end
	c := srv.Dial(t)
	c.SendLine("hello")
	c.ExpectLine("hello")

	d := c.Inject("Internal") // and the supervisor's decision about it
	if d.Directive != "Restart" || d.Restarts != 1 {
		t.Fatalf("decision %s with %d/%d restarts; want Restart with 1", d.Directive, d.Restarts, d.Budget)
	}
	c.SendLine("still here") // a restart keeps the socket
	c.ExpectLine("still here")

	c.Inject("ConnectionFailed") // Stop: the socket is closed
	c.ExpectClosed()
	if s := c.WaitStopped(); s.Reason != "ConnectionFailed" {
		t.Fatalf("stopped: %s; want ConnectionFailed", s.Reason)
	}
}

// TestExample runs Example's steps with a real t.
func TestExample(t *testing.T) {
	srv := testkit.Start(t, "echo")
	c := srv.Dial(t)
	c.SendLine("hello")
	c.ExpectLine("hello")

	d := c.Inject("Internal")
	if d.Directive != "Restart" || d.Restarts != 1 {
		t.Fatalf("decision %s with %d/%d restarts; want Restart with 1", d.Directive, d.Restarts, d.Budget)
	}
	c.SendLine("still here")
	c.ExpectLine("still here")

	c.Inject("ConnectionFailed")
	c.ExpectClosed()
	if s := c.WaitStopped(); s.Reason != "ConnectionFailed" {
		t.Fatalf("stopped: %s; want ConnectionFailed", s.Reason)
	}
}
