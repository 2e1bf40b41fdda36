package actors_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"async_server/actors"
	"async_server/observatory"
)

// This file injects faults into every kind of actor but connections (the
// test kit's matrix covers those): the logger, a service, an acceptor; a
// stall; and every way Server.Inject refuses.

// startWatched starts a server of behavior with the observatory on.
func startWatched(t *testing.T, behavior string) *testServer {
	return startBehavior(t, behavior, func(cfg *actors.Config) { cfg.Observe = true })
}

// injectAndWait injects f into target and waits for the decision about the
// actor it names, which must be marked injected.
func (s *testServer) injectAndWait(t *testing.T, target string, f actors.Fault) observatory.Event {
	t.Helper()
	sub, _ := s.Hub().Subscribe(0, 1024)
	defer sub.Close()
	sent, err := s.Inject(target, f)
	if err != nil {
		t.Fatalf("Inject(%q, %+v): %v", target, f, err)
	}
	timeout := time.After(waitTimeout)
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				t.Fatal("event subscription dropped")
			}
			if e.Kind == observatory.Decision && e.Actor == sent.Actor {
				if !e.Injected || e.Category != f.Category {
					t.Fatalf("decision %+v: want an injected %s", e, f.Category)
				}
				return e
			}
		case <-timeout:
			t.Fatalf("no decision about %s within %v", sent.Actor, waitTimeout)
		}
	}
}

// TestInjectLogger: the logger restarts and loses no entry: lines logged
// around the restart are all in the file.
func TestInjectLogger(t *testing.T) {
	s := startWatched(t, "echo")
	d := s.injectAndWait(t, "logger", actors.Fault{Category: "Internal"})
	if d.Directive != "Restart" || d.ActorKind != observatory.KindLogger {
		t.Fatalf("logger decision %+v: want Restart of the logger", d)
	}
	c := s.dialLines(t) // its "connection opened" line is logged after the restart
	c.roundTrip(t, "hello", "hello")
	s.waitLogLine(t, logLine{"msg": "fault injected", "target": "logger", "injected": "true"})
	s.waitLogLine(t, logLine{"msg": "supervision decision", "actor": "logger", "directive": "Restart", "injected": "true"})
	s.waitLogLine(t, logLine{"msg": "connection opened"})
}

// TestInjectService: the rooms service restarts; its members are told, stay
// connected, and go on chatting.
func TestInjectService(t *testing.T) {
	s := startBehavior(t, "chat", func(cfg *actors.Config) { cfg.Observe = true })
	alice := s.joinChat(t, "alice", "lobby", 0)
	bob := s.joinChat(t, "bob", "lobby", 1)
	alice.expect(t, "* bob joined lobby")
	d := s.injectAndWait(t, "rooms", actors.Fault{Category: "Internal"})
	if d.Directive != "Restart" || d.ActorKind != observatory.KindService {
		t.Fatalf("rooms decision %+v: want Restart of a service", d)
	}
	alice.expect(t, "* the rooms service restarted; rejoining", "* you are alice")
	bob.expect(t, "* the rooms service restarted; rejoining", "* you are bob")
	alice.send(t, "still here")
	bob.expect(t, "[lobby] alice: still here")
}

// TestInjectAcceptor: ListenerFailed restarts the acceptor, which listens
// again; the connections it accepted stay (they are the connection
// supervisor's children, not the acceptor's).
func TestInjectAcceptor(t *testing.T) {
	s := startWatched(t, "echo")
	old := s.dialLines(t)
	old.roundTrip(t, "before", "before")
	d := s.injectAndWait(t, s.Addr, actors.Fault{Category: "ListenerFailed"})
	if d.Directive != "Restart" || d.ActorKind != observatory.KindAcceptor {
		t.Fatalf("acceptor decision %+v: want Restart of the acceptor", d)
	}
	s.waitLogLine(t, logLine{"msg": "listening again", "listener": s.Addr})
	s.dialLines(t).roundTrip(t, "after", "after")
	old.roundTrip(t, "kept", "kept")
}

// TestInjectStall: a stalled connection answers nothing during the stall and
// everything after it; nothing fails, so no decision is made.
func TestInjectStall(t *testing.T) {
	s := startWatched(t, "echo")
	c := s.dialLines(t)
	c.roundTrip(t, "one", "one")
	start := time.Now() // before the stall can begin: the round trip below cannot take less than the stall
	sent, err := s.Inject(c.LocalAddr().String(), actors.Fault{Stall: 300 * time.Millisecond})
	if err != nil || sent.Stall != "300ms" || sent.Actor == "" || sent.Seq == 0 || sent.Remote != c.LocalAddr().String() {
		t.Fatalf("Inject stall: %+v, %v", sent, err)
	}
	c.roundTrip(t, "two", "two") // answered once the stall ends
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("the round trip after a 300ms stall was answered after %v; want at least 250ms (nothing answered during the stall)", took)
	}
	for _, e := range s.Hub().Recent(0) {
		if e.Kind == observatory.Decision {
			t.Errorf("a stall made a decision: %+v", e)
		}
	}
}

// TestConnectionListedBeforeItServes: a connection that has answered a round
// trip is in the observatory, so a fault can be aimed at it by its remote
// address at once. (When the acceptor listed it after the spawn, the
// connection's first round trip could overtake it: -race in CI once saw
// /faults answer 404 for such a client.) Many connections in a row, each
// looked up the moment its reply is read.
func TestConnectionListedBeforeItServes(t *testing.T) {
	s := startWatched(t, "echo")
	for i := range 300 {
		c := s.dialLines(t)
		c.roundTrip(t, "x", "x")
		if _, _, _, ok := s.Hub().Find(c.LocalAddr().String()); !ok {
			t.Fatalf("connection %d answered but is not listed", i)
		}
		c.Close()
	}
}

// TestInjectRefused: every bad request is refused with its error, and nothing
// is injected.
func TestInjectRefused(t *testing.T) {
	s := startWatched(t, "echo")
	s.dialLines(t).roundTrip(t, "x", "x")
	for _, c := range []struct {
		target string
		f      actors.Fault
		want   error
	}{
		{"conn-999", actors.Fault{Category: "Internal"}, actors.ErrUnknownTarget},
		{"", actors.Fault{Category: "Internal"}, actors.ErrUnknownTarget},
		{"random", actors.Fault{Category: "Crash"}, actors.ErrBadFault},
		{"random", actors.Fault{}, actors.ErrBadFault},
		{"random", actors.Fault{Category: "Internal", Stall: time.Second}, actors.ErrBadFault},
		{"random", actors.Fault{Stall: time.Hour}, actors.ErrBadFault},
		{"random", actors.Fault{Stall: -time.Second}, actors.ErrBadFault},
	} {
		if _, err := s.Inject(c.target, c.f); !errors.Is(err, c.want) {
			t.Errorf("Inject(%q, %+v) = %v; want %v", c.target, c.f, err, c.want)
		}
	}
	if n := gatheredSum(t, s.Hub().Registry(), "async_server_faults_injected_total"); n != 0 {
		t.Errorf("%v faults counted as injected; want 0", n)
	}
	off := startBehavior(t, "echo", nil)
	if _, err := off.Inject("random", actors.Fault{Category: "Internal"}); !errors.Is(err, actors.ErrNoObservatory) ||
		!strings.Contains(err.Error(), "-admin") {
		t.Errorf("Inject without the observatory = %v; want ErrNoObservatory naming -admin", err)
	}
}

// TestInjectLoggerStopIsLogged: the decision that stops the logger for good
// is in the log like every other decision, before the line that says the log
// is written directly. (It was sent to the logger as it stopped, and lost.)
func TestInjectLoggerStopIsLogged(t *testing.T) {
	s := startWatched(t, "echo")
	d := s.injectAndWait(t, "logger", actors.Fault{Category: "TooLarge"})
	if d.Directive != "Stop" {
		t.Fatalf("logger decision %+v: want Stop", d)
	}
	s.waitLogLine(t, logLine{"msg": "logger actor stopped; writing the log directly"})
	want := logLine{"msg": "supervision decision", "actor": "logger", "directive": "Stop", "category": "TooLarge", "injected": "true"}
	if n := s.countLogLines(t, want); n != 1 {
		t.Errorf("%d log lines with %v; want 1", n, want)
	}
}

// TestInjectStoppedRefused ensures an actor stopped for good takes no more
// faults: a service after its restarts are spent, the logger after a Stop,
// and an acceptor once the shutdown has begun are refused with ErrStopped
// (an ErrUnknownTarget: the admin endpoint answers 404), and nothing is
// counted as injected. (Each was accepted, counted, and sent to a dead
// letter.) /tree marks the stopped service.
func TestInjectStoppedRefused(t *testing.T) {
	refused := func(t *testing.T, s *testServer, target string, f actors.Fault, counted float64) {
		t.Helper()
		_, err := s.Inject(target, f)
		if !errors.Is(err, actors.ErrStopped) || !errors.Is(err, actors.ErrUnknownTarget) {
			t.Errorf("Inject(%q) after it stopped = %v; want ErrStopped and ErrUnknownTarget", target, err)
		}
		if n := gatheredSum(t, s.Hub().Registry(), "async_server_faults_injected_total"); n != counted {
			t.Errorf("%v faults counted as injected; want %v", n, counted)
		}
	}
	t.Run("service", func(t *testing.T) {
		s := startWatched(t, "resp")
		budget := 3
		for i := 0; i <= budget; i++ {
			s.injectAndWait(t, "keyspace", actors.Fault{Category: "Internal"})
		}
		refused(t, s, "keyspace", actors.Fault{Category: "Internal"}, float64(budget+1))
		refused(t, s, "keyspace", actors.Fault{Stall: time.Second}, float64(budget+1))
		for _, n := range s.Hub().Tree().Children {
			if n.Kind != observatory.KindServices {
				continue
			}
			for _, svc := range n.Children {
				if svc.Name == "keyspace" && !svc.Stopped {
					t.Errorf("keyspace in /tree after it stopped: %+v; want stopped", svc)
				}
			}
		}
	})
	t.Run("logger", func(t *testing.T) {
		s := startWatched(t, "echo")
		s.injectAndWait(t, "logger", actors.Fault{Category: "TooLarge"})
		refused(t, s, "logger", actors.Fault{Category: "Internal"}, 1)
	})
	t.Run("acceptor", func(t *testing.T) {
		s := startWatched(t, "echo")
		s.Shutdown()
		waitFor(t, "the shutdown to begin", func() bool { return !s.Serving() })
		refused(t, s, s.Addr, actors.Fault{Category: "ListenerFailed"}, 0)
	})
}
