package logs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// repeatLimit is the slog handler in front of protoactor's lines: a warning
// or an error about an address (its "address" attribute) that repeats with
// the same message is written once per repeatEvery, and the next one written
// says how many were not (repeated=N). protoactor's endpoint writer retries a
// node that is away every 2 s for as long as it is away, two error lines each
// time: a dead member of a -peers list cost each other node 52 lines (13 KB)
// a minute, 19 MB a day, for nothing the first lines had not said. The
// cluster's own member unreachable and reachable lines still mark each
// change. Other lines pass as they are.
type repeatLimit struct {
	next slog.Handler
	seen *repeats
}

// repeatEvery is how often one message about one address is written.
const repeatEvery = time.Minute

// maxRepeatKeys bounds what repeats remembers: past it, it forgets all and
// starts again (the addresses are the members', a handful).
const maxRepeatKeys = 1024

type repeats struct {
	mu   sync.Mutex
	keys map[string]*repeat // by message and address
}

type repeat struct {
	last time.Time // when it was last written
	held int       // times it was not written since
}

func newRepeatLimit(next slog.Handler) *repeatLimit {
	return &repeatLimit{next: next, seen: &repeats{keys: map[string]*repeat{}}}
}

func (h *repeatLimit) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *repeatLimit) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	addr := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "address" {
			addr = a.Value.String()
			return false
		}
		return true
	})
	if addr == "" {
		return h.next.Handle(ctx, r)
	}
	held, ok := h.seen.take(r.Message+"\x00"+addr, r.Time)
	if !ok {
		return nil
	}
	if held > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeated", held))
	}
	return h.next.Handle(ctx, r)
}

func (h *repeatLimit) WithAttrs(as []slog.Attr) slog.Handler {
	return &repeatLimit{next: h.next.WithAttrs(as), seen: h.seen}
}

func (h *repeatLimit) WithGroup(name string) slog.Handler {
	return &repeatLimit{next: h.next.WithGroup(name), seen: h.seen}
}

// take reports whether the line keyed key may be written at now, and how
// many of it were not written before.
func (s *repeats) take(key string, now time.Time) (held int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.keys[key]
	if e == nil {
		if len(s.keys) >= maxRepeatKeys {
			clear(s.keys)
		}
		s.keys[key] = &repeat{last: now}
		return 0, true
	}
	if now.Sub(e.last) < repeatEvery {
		e.held++
		return 0, false
	}
	held, e.last, e.held = e.held, now, 0
	return held, true
}
