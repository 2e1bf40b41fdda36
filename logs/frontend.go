package logs

import (
	"io"
	"os"
	"sync"

	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// Forwarder is the logrus hook behind the front end: it turns every entry into a
// LogEntry and hands it to the logger actor. Entries logged before the logger actor
// exists are kept and handed over, in order, when it attaches. Every entry is cut
// to the caps in cut.go first, whichever way it goes.
type Forwarder struct {
	mu      sync.Mutex
	send    func(*messages.LogEntry) // set by Attach, cleared by Detach
	pending []*messages.LogEntry     // entries logged before Attach
	direct  *logrus.Logger           // after Detach: write here; nil after Close
	closed  bool                     // set by Close: the log file is gone
	late    *logrus.Logger           // after Close: write here (standard error)
}

var _ logrus.Hook = (*Forwarder)(nil)

// NewFrontEnd returns the logger every component logs through, filtered at level,
// and its Forwarder. The front end formats and writes nothing itself.
func NewFrontEnd(level logrus.Level) (*logrus.Logger, *Forwarder) {
	late := logrus.New()
	late.SetOutput(os.Stderr)
	late.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	fw := &Forwarder{late: late}
	front := logrus.New()
	front.SetLevel(level)
	front.SetOutput(io.Discard)
	front.SetFormatter(discardFormatter{})
	front.AddHook(fw)
	return front, fw
}

// Levels implements logrus.Hook: every level.
func (f *Forwarder) Levels() []logrus.Level { return logrus.AllLevels }

// Fire implements logrus.Hook. e.Data is a fresh copy for this entry (logrus
// clones it per call), so the message may own it, and its values may be cut in
// place.
func (f *Forwarder) Fire(e *logrus.Entry) error {
	msg := cutEntry(e.Message, e.Data)
	m := &messages.LogEntry{Time: e.Time, Level: e.Level, Message: msg, Fields: e.Data}
	f.mu.Lock()
	send := f.send
	if send == nil {
		switch {
		case f.direct != nil:
			Write(f.direct, m)
		case f.closed:
			Write(f.late, m)
		default:
			f.pending = append(f.pending, m)
		}
	}
	f.mu.Unlock()
	if send != nil {
		send(m)
	}
	return nil
}

// Attach makes send the destination of every later entry and returns the entries
// logged so far, in order, for the caller to write first. The logger actor
// attaches itself when it starts and writes those at once: sent to its own
// mailbox they could queue behind a poison pill root sent while it was starting
// (a server that cannot listen stops at once), and be lost.
func (f *Forwarder) Attach(send func(*messages.LogEntry)) []*messages.LogEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := f.pending
	f.pending = nil
	f.send = send
	f.direct = nil
	return pending
}

// Detach stops handing entries on; from now on they are written with direct (the
// logger actor is gone, so nothing else writes the file). The logger actor
// detaches itself as it stops.
func (f *Forwarder) Detach(direct *logrus.Logger) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.send = nil
	f.direct = direct
}

// Close ends the use of the log file, which the caller closes next. The logger
// loses nothing, so nothing is dropped: an entry logged from now on (something
// still running after the server is done) is written to standard error instead of
// the closed file, and so are the entries still pending, which exist only if the
// logger actor never started. Close returns how many those were. Entries are not
// kept in memory after Close: a late logger must not grow it without bound.
func (f *Forwarder) Close() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.send, f.direct, f.closed = nil, nil, true
	for _, m := range f.pending {
		Write(f.late, m)
	}
	n := len(f.pending)
	f.pending = nil
	return n
}

// discardFormatter formats nothing: the front end's entries are written by the
// logger actor, not by the front end.
type discardFormatter struct{}

func (discardFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }
