package actors

import (
	"bytes"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"
)

// failingListener fails Accept with err, fails times, and then as a closed
// listener does.
type failingListener struct {
	net.Listener // nil: only Accept is called
	err          error
	fails        int
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.fails == 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: net.ErrClosed}
	}
	l.fails--
	return nil, l.err
}

// TestAcceptFailedWithinBudget ensures the "accept failed" warning is within
// the listener's log budget: a listener out of descriptors for long, with
// clients churning, logs a burst and then a few lines a second with a count
// of what it left out, not a line per failure.
func TestAcceptFailedWithinBudget(t *testing.T) {
	const fails = 3 * logBurst
	var out bytes.Buffer
	logger := logrus.New()
	logger.SetOutput(&out)
	sys := actor.NewActorSystem(actor.WithLoggerFactory(discardLogger))
	sink := sys.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))
	defer sys.Root.Stop(sink)
	done, budget := make(chan struct{}), newLogBudgets()
	l := &acceptLoop{
		ln:   &failingListener{err: &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}, fails: fails},
		stop: make(chan struct{}), done: done, root: sys.Root, self: sink, conns: sink,
		log: logrus.NewEntry(logger), budget: budget,
		backoffMin: time.Nanosecond, backoffMax: time.Nanosecond,
	}
	l.run()
	<-done
	lines := strings.Count(out.String(), `msg="accept failed"`)
	if lines == 0 || lines > logBurst+logRate {
		t.Errorf("%d failures made %d lines \"accept failed\"; want at least 1 and at most %d (the budget)", fails, lines, logBurst+logRate)
	}
	// Every failure is a line, or counted in a later line's "suppressed", or
	// still counted for the flush at the end.
	counted := lines + int(budget.warn.suppressed.Load())
	for _, m := range regexp.MustCompile(`suppressed=(\d+)`).FindAllStringSubmatch(out.String(), -1) {
		n, _ := strconv.Atoi(m[1])
		counted += n
	}
	if counted != fails {
		t.Errorf("%d failures, %d lines, and %d in all counted; want every failure counted", fails, lines, counted)
	}
}
