package actors

import (
	"os"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/logs"
	"async_server/messages"
)

// loggerActor is the logger actor: the one writer of the log file. Every entry
// logged anywhere in the server (protoactor's own lines included) reaches it as a
// LogEntry through the front end's Forwarder, so writes never interleave and a
// slow disk never blocks a connection. Root starts it first and stops it last,
// with a poison pill, so every entry sent before the pill is written; then it
// syncs the file.
type loggerActor struct {
	out  *logrus.Logger // writes the file
	file *os.File       // nil when logging to standard error
	fw   *logs.Forwarder
}

func loggerProps(out *logrus.Logger, file *os.File, fw *logs.Forwarder) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &loggerActor{out: out, file: file, fw: fw}
	})
}

// Receive dispatches.
func (l *loggerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		root, self := ctx.ActorSystem().Root, ctx.Self()
		for _, e := range l.fw.Attach(func(e *messages.LogEntry) { root.Send(self, e) }) {
			logs.Write(l.out, e) // before anything in the mailbox, a poison pill included
		}
	case *messages.LogEntry:
		logs.Write(l.out, m)
	case *actor.Stopping:
		// From here on the Forwarder writes directly: nobody else writes the file.
		l.fw.Detach(l.out)
		if l.file != nil {
			_ = l.file.Sync()
		}
	}
}
