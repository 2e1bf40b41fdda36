package supervision

import "github.com/asynkron/protoactor-go/actor"

// directives is the supervision table: what a supervisor does with a child that
// failed with an error of each category. It is the one place the policy lives;
// README.md and actors/doc.go show copies of it, which TestTableCopies checks
// against it.
var directives = map[Category]actor.Directive{
	ConnectionFailed: actor.StopDirective,    // the socket is unusable
	Timeout:          actor.StopDirective,    // the peer is gone or too slow
	TooLarge:         actor.StopDirective,    // the rest of the oversized input is unframed
	BadRequest:       actor.RestartDirective, // reply with an error, reset state, keep the socket
	Internal:         actor.RestartDirective, // a bug: fresh behavior state, same socket
	ListenerFailed:   actor.RestartDirective, // root makes a fresh acceptor (a new listener)
}

// Decide returns the category of a failure reason and the directive for it.
// A failure whose framing is lost is always stopped: restarting a protocol that
// cannot find the start of the next request would only fail again.
func Decide(reason any) (Category, actor.Directive) {
	c := CategoryOf(reason)
	d, ok := directives[c]
	if !ok || framingLost(reason) {
		d = actor.StopDirective
	}
	return c, d
}
