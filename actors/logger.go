package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/logs"
	"async_server/messages"
	"async_server/observatory"
)

// loggerActor is the logger actor: the one writer of the log file. Every entry
// logged anywhere in the server (protoactor's own lines included) reaches it as a
// LogEntry through the front end's Forwarder, so writes never interleave and a
// slow disk never blocks a connection. Root starts it first and stops it last
// with StopLogger: it detaches from the Forwarder (later entries are written
// directly), writes every entry already queued, and syncs the file.
type loggerActor struct {
	out  *logrus.Logger // writes the file
	file logs.File      // nil when logging to standard error
	fw   *logs.Forwarder
	hub  *observatory.Hub // counts the entries written
}

// loggerName is the logger actor's name under root.
const loggerName = "logger"

func loggerProps(out *logrus.Logger, file logs.File, fw *logs.Forwarder, hub *observatory.Hub, inject actor.ReceiverMiddleware) *actor.Props {
	// An injected fault (injectable) restarts it and loses nothing: the
	// entries queued behind it stay queued, and the Forwarder queues entries
	// while the logger is away.
	return actor.PropsFromProducer(func() actor.Actor {
		return &loggerActor{out: out, file: file, fw: fw, hub: hub}
	}, actor.WithReceiverMiddleware(inject))
}

// Receive dispatches.
func (l *loggerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		root, self := ctx.ActorSystem().Root, ctx.Self()
		for _, e := range l.fw.Attach(func(e *messages.LogEntry) { root.Send(self, e) }) {
			logs.Write(l.out, e) // before anything in the mailbox, a poison pill included
			l.hub.LogWritten()
		}
	case *messages.LogEntry:
		logs.Write(l.out, m)
		l.hub.LogWritten()
	case *messages.SyncLog:
		if l.file != nil {
			_ = l.file.Sync()
		}
		ctx.Respond(m)
	case *messages.StopLogger:
		// Entries logged from now on are written directly (logrus serializes the
		// writes); the pill goes behind every entry already queued, so none is lost.
		l.fw.Detach(l.out)
		ctx.Poison(ctx.Self())
	case *actor.Stopping:
		if l.file != nil {
			_ = l.file.Sync()
		}
	}
}
