// Package testkit tests a connection behavior over real TCP in a few lines, in
// the spirit of net/http/httptest: start a server running it on 127.0.0.1 port
// 0, dial it, send bytes and expect replies, inject a categorized fault into a
// connection and wait for the supervisor's decision about it and for the
// connection's fate.
//
//	func TestUpper(t *testing.T) {
//		srv := testkit.Start(t, "upper") // a registered behavior; StartProtocol takes a Factory
//		c := srv.Dial(t)
//		c.SendLine("hello")
//		c.ExpectLine("HELLO")
//		d := c.Inject("Internal") // Restart: fresh behavior state, same socket
//		if d.Directive != "Restart" {
//			t.Fatalf("decision %s; want Restart", d.Directive)
//		}
//		c.SendLine("again")
//		c.ExpectLine("AGAIN")
//	}
//
// A server of the kit observes itself (actors.Config.Observe): every wait reads
// the events of its observatory.Hub (accepted, injected, decision, stopped),
// which the kit records from the moment the server starts, so a wait never
// misses an event that came before it. Its log goes to a file in t.TempDir()
// (Server.LogPath); Server.Log returns its lines, and Server.WaitLog waits for
// one. When the test ends the server is shut down and waited for, and
// the test fails if a goroutine started since the server did outlives it: do
// not run tests that use the kit in parallel (t.Parallel), or each server's
// leak check sees the others' goroutines.
//
// Every wait has a deadline (DefaultTimeout, or WithTimeout) and returns as
// soon as its condition holds; on failure it calls t.Fatalf with what it saw.
// Methods that take no testing.TB use the one they were made with: call them
// from the test's goroutine only.
//
// The Examples of package behaviors/protocol add a behavior, and a
// message-driven one with its service actor, each tested with the kit.
package testkit
