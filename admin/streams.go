package admin

import (
	"errors"
	"net/http"
	"time"
)

var (
	// errClosing ends a stream's write once Close has begun.
	errClosing = errors.New("admin endpoint closing")
	// errStreamsFull refuses a stream past maxStreams.
	errStreamsFull = errors.New("too many event streams")
)

// admit registers an /events stream's writer, so that Close can cut a write
// blocked on a client that does not read: errStreamsFull when maxStreams are
// open, errClosing once Close has begun. The stream calls leave when it ends.
func (a *Admin) admit(rc *http.ResponseController) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.closing:
		return errClosing
	case len(a.open) >= maxStreams:
		return errStreamsFull
	}
	a.open[rc] = struct{}{}
	return nil
}

// leave unregisters a stream's writer: Close no longer touches it.
func (a *Admin) leave(rc *http.ResponseController) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.open, rc)
}

// extend gives a stream's next write writeWait from now; once Close has
// begun it fails instead, so that a write is never given time after Close
// has cut the stream (cutStreams).
func (a *Admin) extend(rc *http.ResponseController) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing {
		return errClosing
	}
	_ = rc.SetWriteDeadline(time.Now().Add(a.writeWait))
	return nil
}

// cutStreams ends every stream's write at once, a write blocked on a client
// that does not read included: its deadline is put in the past, the write
// fails and the stream's handler returns. Without it http.Server.Shutdown
// waited for such a write until closeTimeout.
func (a *Admin) cutStreams() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closing = true
	for rc := range a.open {
		_ = rc.SetWriteDeadline(time.Unix(1, 0))
	}
}
