package actors_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"async_server/actors"
	"async_server/behaviors/protocol"
	"async_server/supervision"
)

// This file checks confinement (actors/doc.go, "Confinement"): behavior code, and so every socket
// write, runs only on its own connection's goroutines, never on the acceptor's,
// root's or another actor's, so a stalled peer can block nothing but its own
// connection.

// foreignFrames are functions that must never be on the stack of behavior code:
// other actors' Receive, and the supervision and accept paths that spawn and
// restart connection actors.
var foreignFrames = []string{
	"actors.(*acceptor)",
	"actors.(*connSupervisor)",
	"actors.(*rootActor)",
	"actors.acceptLoop",
	"supervision.(*Strategy)",
	"actors.(*servicesActor)",
	"actors_test_test.(*upper).Receive", // the test service of services_test.go
}

// probe is a line behavior that checks its own stack on every call. "fail"
// hands the lines behind it back (Conn.Unread) and fails with Internal, so the
// fresh behavior runs them inside the restart; "flood" writes until the write
// fails; any other line is echoed.
type probe struct {
	conn    protocol.Conn
	foreign *foreignLog
	partial []byte
}

// foreignLog records the first stack on which behavior code ran where it must not.
type foreignLog struct {
	mu    sync.Mutex
	stack string
}

func (p *probe) Received(data []byte) error {
	p.foreign.check()
	p.partial = append(p.partial, data...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return nil
		}
		line := string(p.partial[:i+1])
		p.partial = p.partial[i+1:]
		switch line {
		case "fail\n":
			p.conn.Unread(p.partial)
			return supervision.New(supervision.Internal, "probe", errors.New("fail requested"))
		case "flood\n":
			chunk := bytes.Repeat([]byte("flood\n"), 10<<10)
			for {
				if _, err := p.conn.Write(chunk); err != nil {
					return err
				}
			}
		}
		if _, err := p.conn.Write([]byte(line)); err != nil {
			return err
		}
	}
}

func (p *probe) TimedOut() { p.foreign.check() }

// check records the current stack if it holds a foreign frame.
func (f *foreignLog) check() {
	buf := make([]byte, 64<<10)
	st := string(buf[:runtime.Stack(buf, false)])
	for _, frame := range foreignFrames {
		if strings.Contains(st, frame) {
			f.mu.Lock()
			if f.stack == "" {
				f.stack = st
			}
			f.mu.Unlock()
		}
	}
}

func (f *foreignLog) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stack
}

// TestBehaviorRunsOnlyOnItsConnection ensures no behavior code runs on another
// actor's goroutine, on the paths where protoactor would put it there: input
// that arrives while the acceptor spawns the connection actor, and input a
// failed behavior hands to its successor inside the restart the acceptor
// orders. One peer that never reads floods its own connection (with no write
// timeout, so its write blocks until the shutdown forces it closed) from inside
// such a restart, while a thousand other clients connect, are served, and leave.
func TestBehaviorRunsOnlyOnItsConnection(t *testing.T) {
	foreign := &foreignLog{}
	s := startServer(t, func(cfg *actors.Config) {
		cfg.Protocol = func(c protocol.Conn) protocol.Protocol { return &probe{conn: c, foreign: foreign} }
		cfg.WriteTimeout = 0
		cfg.ShutdownTimeout = 200 * time.Millisecond
		cfg.Intensity = supervision.Intensity{MaxRestarts: 1000, Within: time.Minute}
	})
	stalled := s.dialLines(t) // never reads
	stalled.send(t, "fail", "flood")

	const clients, parallel = 1000, 50
	errs := make(chan error, clients)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := 0; i < clients && len(errs) == 0; i++ { // the first failure ends the run
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := confinedClient(s.Addr, i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s.stop(t)
	if st := foreign.String(); st != "" {
		t.Fatalf("behavior code ran on another actor's goroutine:\n%s", st)
	}
}

// confinedClient connects, sends a failing line and a good one as it connects,
// and expects the good one back: the fresh behavior answered it after the
// restart.
func confinedClient(addr string, i int) error {
	c, err := dialLineClient(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	want := fmt.Sprintf("hello %d", i)
	if _, err := fmt.Fprintf(c, "fail\n%s\n", want); err != nil {
		return err
	}
	got, err := c.r.ReadString('\n')
	if err != nil || got != want+"\n" {
		return fmt.Errorf("client %d: read %q (%v); want %q", i, got, err, want)
	}
	return nil
}
