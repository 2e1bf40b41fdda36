package testkit

import (
	"async_server/actors"
	"async_server/observatory"
)

// This file is a client's view of its own connection in the server: its name,
// the faults injected into it, the supervisor's decisions about it and its end.
// Each wait returns the first matching event about the connection after the
// last one a wait returned, so waits taken in turn see events in turn.

// ID returns the connection's name in the server (conn-N), waiting for the
// server to accept it.
func (c *Client) ID() string {
	c.t.Helper()
	if c.id == "" {
		local := c.Conn.LocalAddr().String() // the server's remote address for it
		// After the dial: an earlier connection from the same port (the kernel
		// reuses ports) has an "accepted" of its own, before it.
		e := c.srv.waitAfter(c.t, c.dialed, "the server to accept "+local, func(e Event) bool {
			return e.Kind == observatory.Accepted && e.Remote == local
		})
		c.id, c.seen = e.Actor, e.Seq
	}
	return c.id
}

// Inject injects a failure of category (a category of the supervision table:
// "Internal", "BadRequest", "TooLarge", ...) into the client's connection, by
// its address, as the admin endpoint's POST /faults does; then it waits for
// the supervisor's decision about that failure and returns it: Directive
// ("Restart" or "Stop"), Restarts used within the window of Budget, Category,
// and Injected (true).
func (c *Client) Inject(category string) Event {
	c.t.Helper()
	id := c.ID() // the accepted event is recorded: the decision cannot be missed
	e, err := c.srv.Inject(c.Conn.LocalAddr().String(), actors.Fault{Category: category})
	if err != nil {
		c.t.Fatalf("testkit: injecting %s into %s: %v", category, id, err)
	}
	if e.Actor != id {
		c.t.Fatalf("testkit: injected %s into %s; want %s", category, e.Actor, id)
	}
	return c.next("the decision about the "+category+" injected", func(e Event) bool {
		return e.Kind == observatory.Decision && e.Injected
	})
}

// WaitDecision waits for the next supervision decision about the connection
// (a failure of its own, injected or not) and returns it.
func (c *Client) WaitDecision() Event {
	c.t.Helper()
	return c.next("a decision", func(e Event) bool { return e.Kind == observatory.Decision })
}

// WaitStopped waits for the connection's actor to stop and returns the
// "stopped" event; its Reason says why: a Stop decision's category, "peer
// closed", "closed by behavior", "shutdown", ...
func (c *Client) WaitStopped() Event {
	c.t.Helper()
	return c.next("the connection to stop", func(e Event) bool { return e.Kind == observatory.Stopped })
}

// Alive reports whether the connection's actor is in the server's live tree
// (it has not stopped).
func (c *Client) Alive() bool {
	c.t.Helper()
	_, _, _, ok := c.srv.Hub().Find(c.ID())
	return ok
}

// Node returns the connection in a snapshot of the server's live tree (its
// restarts used within the window, of its budget; its last decision; its
// bytes), or nil once it has stopped.
func (c *Client) Node() *observatory.Node {
	c.t.Helper()
	id := c.ID()
	for _, a := range c.srv.Hub().Tree().Children {
		for _, n := range a.Children {
			if n.Kind == observatory.KindConnection && n.Name == id {
				return n
			}
		}
	}
	return nil
}

// next waits for the first event about the connection after the last one a
// wait returned that match accepts, and moves past it.
func (c *Client) next(what string, match Match) Event {
	c.t.Helper()
	id := c.ID()
	mine := func(e Event) bool { return e.Actor == id }
	e, err := c.srv.rec.wait(c.seen, c.srv.Timeout, func(e Event) bool { return mine(e) && match(e) })
	if err != nil {
		c.t.Fatalf("testkit: waiting for %s of %s: %v; its events (the last wait returned #%d):%s",
			what, id, err, c.seen, c.srv.rec.describe(0, mine))
	}
	c.seen = e.Seq
	return e
}
