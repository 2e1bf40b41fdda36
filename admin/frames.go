package admin

import (
	"encoding/json"
	"strconv"
	"sync"

	"async_server/observatory"
)

// frameKeep is how many encoded events frames keeps: a stream is at most
// the hub's kept events (its backlog) plus its own buffer behind the newest
// event, so every stream finds what the first one to reach an event encoded.
const frameKeep = observatory.DefaultKeep + streamBuffer

// frames encodes each event once, as the server-sent event every stream
// writes, whatever the number of streams: the first stream to reach an event
// encodes it, the others write the same bytes. The streams' goroutines call
// it; nothing on a connection's goroutine does.
type frames struct {
	mu      sync.Mutex
	ring    []frame // by Seq % frameKeep; allocated at the first event
	encoded uint64  // events encoded so far (tests count them)
}

// frame is an event's server-sent-event bytes. They are shared by every
// stream: nobody may change them.
type frame struct {
	seq  uint64
	data []byte
}

// of returns e as one server-sent event: "id: SEQ", "event: KIND" and
// "data: JSON" on one line (encoding/json escapes every newline inside
// strings). The lock is held while encoding, so that streams that reach the
// same event at once encode it once.
func (f *frames) of(e observatory.Event) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ring == nil {
		f.ring = make([]frame, frameKeep)
	}
	slot := &f.ring[e.Seq%frameKeep]
	if slot.seq == e.Seq && slot.data != nil {
		return slot.data, nil
	}
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	f.encoded++
	b := make([]byte, 0, len(data)+len(e.Kind)+40)
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	*slot = frame{seq: e.Seq, data: b}
	return b, nil
}
