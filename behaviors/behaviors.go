// Package behaviors holds async_server's connection behaviors (protocols) and the
// registry that names them.
//
// A connection behavior is the per-connection state and logic of one protocol. The
// connection actor (package actors) owns the socket and a reader goroutine; it
// hands every chunk of bytes the peer sends to its Protocol, in order, one at a
// time, and the Protocol writes replies through its Conn. A Protocol never reads
// the socket, never blocks on anything but its own writes, and never needs a lock.
//
// To add a behavior: write one file here with a type that implements Protocol and
// a constructor of its Factory, add one line to registry, and test it over real
// TCP with actors_test's harness. Nothing in the acceptor, the connection actor or
// the supervisor changes.
package behaviors

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Protocol is a connection behavior: one connection's protocol state and logic.
// A fresh Protocol is made for each connection, and again after each restart of
// its connection actor (a restart throws the old state away; the socket stays).
type Protocol interface {
	// Received handles the next bytes the peer sent. data is valid only during the
	// call: keep a copy of what you need later. A returned error fails the
	// connection actor, and its category decides what the supervisor does; return a
	// *supervision.Error (an error of any other type counts as Internal, as does a
	// panic). Write any error reply the protocol has before returning the error.
	Received(data []byte) error

	// TimedOut is called when the peer missed a read deadline: it sent nothing for
	// the idle timeout, or missed a deadline set with Conn.SetReadDeadline. The
	// connection is closed right after (Timeout: Stop); a protocol may write a last
	// reply first (HTTP 408).
	TimedOut()
}

// Conn is what a behavior sees of its connection. It is made by the connection
// actor and outlives restarts of the behavior. Call it only from Received and
// TimedOut.
type Conn interface {
	// Write writes p to the peer within the write timeout. Its error is a
	// *supervision.Error (ConnectionFailed, or Timeout when the peer does not read),
	// ready to be returned from Received.
	Write(p []byte) (int, error)

	// SetReadDeadline sets a time by which the next bytes must arrive, on top of the
	// idle timeout (the earlier wins); the zero time removes it.
	SetReadDeadline(t time.Time)

	// Close asks for the connection to be closed once the current Received returns,
	// after everything written so far has been sent.
	Close()

	// SetIdle says whether the behavior is between requests and owes the peer
	// nothing (true), or is busy with one (false, the state a connection starts
	// in). At the connection limit the acceptor closes the longest-idle
	// connection to admit a waiting client, as servers under pressure drop idle
	// keep-alive connections first. A behavior that never calls it is never
	// closed that way.
	SetIdle(idle bool)

	// Unread hands back input the behavior received but did not consume because
	// it is failing on a request before it. If the supervisor restarts the
	// behavior, the fresh one receives p before anything else, so the peer loses
	// only the request that failed; if the connection stops instead, p is
	// dropped. p is copied. Call it just before returning the error (or
	// panicking); a later call replaces an earlier one.
	Unread(p []byte)

	ID() string           // the connection's name in the log and the actor tree
	RemoteAddr() net.Addr // the peer's address
	Log() *logrus.Entry   // a logger that carries the connection's id and remote address
}

// Factory makes a fresh Protocol for conn: when the connection is accepted and
// after every restart of its actor.
type Factory func(conn Conn) Protocol

// Options holds every behavior's settings, taken from the command line.
type Options struct {
	HTTP HTTPOptions // the http behavior's (-root, -max-body, ...)
}

// A constructor makes a behavior's Factory, and the function that releases what
// the Factory holds open for its whole life (nil when it holds nothing).
type constructor func(Options) (Factory, func() error, error)

// registry names every behavior: name -> constructor of its Factory.
var registry = map[string]constructor{
	"echo":   newEcho,
	"faults": newFaults,
	"http":   newHTTP,
}

// New returns the Factory of the behavior called name, and release, which frees
// what the Factory holds open for its whole life (the http behavior's -root
// directory). Call release once, when no connection uses the Factory any more;
// the Factory must not make new connections' behaviors after it.
func New(name string, o Options) (f Factory, release func() error, err error) {
	mk, ok := registry[name]
	if !ok {
		return nil, nil, fmt.Errorf("unknown behavior %q (have %s)", name, strings.Join(Names(), ", "))
	}
	f, release, err = mk(o)
	if err != nil {
		return nil, nil, err
	}
	if release == nil {
		release = func() error { return nil }
	}
	return f, release, nil
}

// Names lists the registered behaviors, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
