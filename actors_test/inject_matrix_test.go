package actors_test

import (
	"testing"

	"async_server/supervision"
	"async_server/testkit"
)

// matrixBehavior is how the injection matrix talks to one behavior.
type matrixBehavior struct {
	name string
	// greet reads what a fresh behavior says before any request (after the
	// accept, and again after each restart), if anything.
	greet func(c *testkit.Client)
	// serve sends one request and expects its reply, in a way that shows the
	// behavior's state is fresh (faults counts the lines it answered).
	serve func(c *testkit.Client)
	// timedOut is what the behavior says at a Timeout (its TimedOut), before
	// the close: an injected Timeout gets it too, as a real one does.
	timedOut string
}

var matrixBehaviors = []matrixBehavior{
	{name: "echo", greet: func(*testkit.Client) {}, serve: func(c *testkit.Client) {
		c.SendLine("ping")
		c.ExpectLine("ping")
	}},
	{name: "faults", greet: func(*testkit.Client) {}, serve: func(c *testkit.Client) {
		c.SendLine("x")
		c.ExpectLine("count 1: x")
	}, timedOut: "-ERR idle timeout"},
	{name: "http", greet: func(*testkit.Client) {}, serve: func(c *testkit.Client) {
		c.SendString("HEAD / HTTP/1.1\r\nHost: test\r\n\r\n")
		c.ExpectLine("HTTP/1.1 200 OK")
		for c.ReadLine() != "" { // the headers; HEAD has no body
		}
	}},
	{name: "chat", greet: func(c *testkit.Client) {
		c.ExpectLine("* welcome, you are guest-" + c.ID()[len("conn-"):] + "; commands: /nick NAME, /join ROOM, /leave, /who, /rooms, /quit")
	}, serve: func(c *testkit.Client) {
		c.SendLine("/rooms")
		c.ExpectLine("* no rooms; /join ROOM makes one")
	}, timedOut: "* idle timeout; bye"},
}

// matrixDirectives is the supervision table for a connection: what each
// category injected into it must get.
var matrixDirectives = map[supervision.Category]string{
	supervision.ConnectionFailed: "Stop",
	supervision.Timeout:          "Stop",
	supervision.TooLarge:         "Stop",
	supervision.BadRequest:       "Restart",
	supervision.Internal:         "Restart",
	supervision.ListenerFailed:   "Restart",
}

// TestInjectMatrix ensures every fault category injected into a connection of
// each behavior gets the table's decision, and that the connection meets the
// fate it says: after a restart the same socket serves the next request with
// fresh state; after a stop the client sees the close and the connection's
// stopped event names the category.
func TestInjectMatrix(t *testing.T) {
	for _, b := range matrixBehaviors {
		t.Run(b.name, func(t *testing.T) {
			srv := testkit.Start(t, b.name)
			for _, cat := range supervision.Categories() {
				t.Run(cat.String(), func(t *testing.T) {
					c := srv.Dial(t)
					b.greet(c)
					b.serve(c)
					d := c.Inject(cat.String())
					checkInjected(t, d, cat.String(), matrixDirectives[cat], 1)
					checkFate(t, c, b, d)
				})
			}
		})
	}
}

// TestInjectIntensity ensures a connection of each behavior restarted more than
// the budget allows within the window (3 in 10 s) is stopped on the next
// failure, and serves fresh until then.
func TestInjectIntensity(t *testing.T) {
	for _, b := range matrixBehaviors {
		t.Run(b.name, func(t *testing.T) {
			srv := testkit.Start(t, b.name)
			c := srv.Dial(t)
			b.greet(c)
			budget := supervision.DefaultIntensity.MaxRestarts
			for i := 1; i <= budget+1; i++ {
				want := "Restart"
				if i > budget {
					want = "Stop"
				}
				d := c.Inject("Internal")
				checkInjected(t, d, "Internal", want, i)
				checkFate(t, c, b, d)
				if n := c.Node(); want == "Restart" && (n == nil || n.Restarts != i || n.Budget != budget) {
					t.Errorf("%s in the tree after restart %d: %+v; want restarts %d/%d", c.ID(), i, n, i, budget)
				}
			}
		})
	}
}

// checkInjected checks an injected failure's decision.
func checkInjected(t testing.TB, d testkit.Event, category, directive string, restarts int) {
	t.Helper()
	if directive == "Stop" && restarts == 1 {
		restarts = 0 // a category that stops uses no restart
	}
	budget := supervision.DefaultIntensity.MaxRestarts
	if d.Category != category || d.Directive != directive || d.Restarts != restarts || d.Budget != budget || !d.Injected {
		t.Errorf("decision: %s -> %s, restarts %d/%d, injected %v; want %s -> %s, restarts %d/%d, injected",
			d.Category, d.Directive, d.Restarts, d.Budget, d.Injected, category, directive, restarts, budget)
	}
}

// checkFate checks what became of the connection after decision d.
func checkFate(t testing.TB, c *testkit.Client, b matrixBehavior, d testkit.Event) {
	t.Helper()
	if d.Directive == "Stop" {
		if d.Category == "Timeout" && b.timedOut != "" {
			c.ExpectLine(b.timedOut)
		}
		c.ExpectClosed()
		if e := c.WaitStopped(); e.Reason != d.Category {
			t.Errorf("stopped because %q; want %q", e.Reason, d.Category)
		}
		return
	}
	b.greet(c)
	b.serve(c)
	if !c.Alive() {
		t.Errorf("%s is gone from the tree after a restart", c.ID())
	}
}
