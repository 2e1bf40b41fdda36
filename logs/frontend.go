package logs

import (
	"io"
	"sync"

	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// Forwarder is the logrus hook behind the front end: it turns every entry into a
// LogEntry and hands it to the logger actor. Entries logged before the logger actor
// exists are kept and handed over, in order, when it attaches.
type Forwarder struct {
	mu      sync.Mutex
	send    func(*messages.LogEntry) // set by Attach, cleared by Detach
	pending []*messages.LogEntry     // entries logged before Attach
	direct  *logrus.Logger           // after Detach: write here; nil after Close
}

var _ logrus.Hook = (*Forwarder)(nil)

// NewFrontEnd returns the logger every component logs through, filtered at level,
// and its Forwarder. The front end formats and writes nothing itself.
func NewFrontEnd(level logrus.Level) (*logrus.Logger, *Forwarder) {
	fw := &Forwarder{}
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
// clones it per call), so the message may own it.
func (f *Forwarder) Fire(e *logrus.Entry) error {
	m := &messages.LogEntry{Time: e.Time, Level: e.Level, Message: e.Message, Fields: e.Data}
	f.mu.Lock()
	send := f.send
	if send == nil {
		if f.direct != nil {
			Write(f.direct, m)
		} else {
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

// Close drops every later entry (the log file is about to be closed) and returns
// how many entries were still pending, which is zero unless the logger actor never
// started.
func (f *Forwarder) Close() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.send, f.direct = nil, nil
	n := len(f.pending)
	f.pending = nil
	return n
}

// discardFormatter formats nothing: the front end's entries are written by the
// logger actor, not by the front end.
type discardFormatter struct{}

func (discardFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }
