package chatpb

// Size is what a line counts against its connection's output limit
// (actors/outbox.go), as chat's lineSaid does.
func (m *Line) Size() int { return len(m.GetLine()) + 32 }

// IgnoreDeadLetterLogging: a line to a member that has just disconnected is
// routine (its room hears of it a moment later).
func (*Line) IgnoreDeadLetterLogging() {}

// IgnoreDeadLetterLogging: an answer to a connection that has just ended is
// routine.
func (*SayHeard) IgnoreDeadLetterLogging() {}
