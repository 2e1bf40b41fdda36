// Package leakcheck is goleak as this project's tests use it: it knows which
// goroutines of protoactor are not leaks, and waits long enough for the rest to
// end.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Wait bounds the wait for goroutines to end. After any dead letter protoactor
// keeps a throttling timer goroutine for its one-second interval; everything
// else a stopped server leaves must be gone well within this.
const Wait = 5 * time.Second

// notLeaks are goroutines that end by themselves: protoactor's dead-letter
// throttle timers, under each name the compiler gives them (inlined or not).
var notLeaks = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewThrottle.func1.1"),
	goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewThrottleWithLogger.func1.1"),
	goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"),
	goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottleWithLogger.func4.1"),
}

// knownLeaks are goroutines that never end, by a dependency's bug we cannot fix
// from outside: lumberjack v2.2.1 starts a "mill" goroutine per rotating log
// (logs/rotate.go) and its Close does not stop it (natefinch/lumberjack#56,
// open). One blocked goroutine per server started with -log-max-size; the
// binary starts one server. Remove this when lumberjack's Close stops it.
var knownLeaks = []goleak.Option{
	goleak.IgnoreAnyFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"),
}

// Find waits up to Wait for every goroutine but those ignored to end, and
// reports those that do not.
func Find(ignore ...goleak.Option) error {
	ignore = append(append(ignore, notLeaks...), knownLeaks...)
	deadline := time.Now().Add(Wait)
	for {
		err := goleak.Find(ignore...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// VerifyTestMain runs a package's tests, then cleanups (binary.Remove, say),
// and fails the run if a goroutine outlives them (waiting up to Wait for them
// to end). Call it from TestMain.
func VerifyTestMain(m *testing.M, cleanups ...func()) {
	code := m.Run()
	for _, cleanup := range cleanups {
		cleanup()
	}
	if code == 0 {
		if err := Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: goroutines outlived the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Count returns how many goroutines have a frame whose function name contains
// fn on their stack: "internal/netpoll.(*Conn)." counts the goroutines that
// serve connections. For tests that check a goroutine is given back, not only
// that it ends.
func Count(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			count++
		}
	}
	return count
}
