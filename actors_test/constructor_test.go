package actors_test

import (
	"bufio"
	"crypto/tls"
	"net"
	"sync"
	"testing"

	"async_server/actors"
	"async_server/behaviors/protocol"
)

// This file checks a behavior's constructor (its protocol.Factory): it is
// behavior code, so it runs on its connection's goroutines, and a panic in it
// is that connection's failure, decided by its supervisor, never the
// listener's.

// panickyFactory is faulty's factory, but for the connections panicky names:
// their constructor panics, on the first call only (once) or on every call.
func panickyFactory(once bool, panicky ...string) protocol.Factory {
	var mu sync.Mutex
	panicked := map[string]bool{}
	inner := faultyFactory(nil)
	return func(c protocol.Conn) protocol.Protocol {
		mu.Lock()
		for _, id := range panicky {
			if c.ID() == id && !(once && panicked[id]) {
				panicked[id] = true
				mu.Unlock()
				panic("constructor failed")
			}
		}
		mu.Unlock()
		return inner(c)
	}
}

// TestConstructorPanicRestarts ensures a constructor that panics once fails
// only its connection, which is restarted (Internal) and then served on the
// same socket.
func TestConstructorPanicRestarts(t *testing.T) {
	s := startServer(t, func(cfg *actors.Config) { cfg.Protocol = panickyFactory(true, "conn-1") })
	c := s.dialLines(t)
	c.roundTrip(t, "hello", "count 1 hello")
	s.waitLogLine(t, logLine{"msg": "supervision decision", "conn": "conn-1", "category": "Internal", "directive": "Restart"})
}

// TestConstructorPanicStops ensures a constructor that always panics has its
// connection closed once the restart budget is spent, while the listener
// goes on serving the next client.
func TestConstructorPanicStops(t *testing.T) {
	s := startServer(t, func(cfg *actors.Config) { cfg.Protocol = panickyFactory(false, "conn-1") })
	bad := s.dialLines(t)
	bad.expectEOF(t)
	s.waitLogLine(t, logLine{"msg": "supervision decision", "conn": "conn-1", "category": "Internal", "directive": "Stop"})
	good := s.dialLines(t)
	good.roundTrip(t, "hello", "count 1 hello")
	select {
	case <-s.Done():
		t.Fatalf("the server stopped: %v", s.Err())
	default:
	}
}

// TestConstructorRunsOnItsConnection ensures a behavior's constructor never
// runs on its connection supervisor's goroutine (nor any other actor's): at the spawn and
// inside restarts.
func TestConstructorRunsOnItsConnection(t *testing.T) {
	foreign := &foreignLog{}
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol {
			foreign.check()
			return &probe{conn: c, foreign: foreign}
		}
	})
	for range 5 {
		c := s.dialLines(t)
		c.send(t, "fail")
		c.roundTrip(t, "hello", "hello")
	}
	s.stop(t)
	if st := foreign.String(); st != "" {
		t.Fatalf("a constructor ran on another actor's goroutine:\n%s", st)
	}
}

// greeter greets its peer as it starts (protocol.Starter) and echoes.
type greeter struct{ conn protocol.Conn }

func (g *greeter) Started() error             { _, err := g.conn.Write([]byte("hello\n")); return err }
func (g *greeter) Received(data []byte) error { _, err := g.conn.Write(data); return err }
func (g *greeter) TimedOut()                  {}

// TestConstructorPanicBeforeHandshake ensures a TLS connection whose
// behavior is restarted before its handshake is done (its first constructor
// panics) starts the fresh behavior once, after the handshake: one greeting.
func TestConstructorPanicBeforeHandshake(t *testing.T) {
	certFile, keyFile, pool := testCert(t)
	var once sync.Once
	s := startServer(t, func(cfg *actors.Config) {
		cfg.TLSCert, cfg.TLSKey = certFile, keyFile
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol {
			once.Do(func() { panic("constructor failed") })
			return &greeter{conn: c}
		}
	})
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: waitTimeout}, "tcp", s.Addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	defer c.Close()
	lc := &lineClient{Conn: c, r: bufio.NewReader(c)}
	lc.expect(t, "hello")
	lc.roundTrip(t, "x", "x")
}
