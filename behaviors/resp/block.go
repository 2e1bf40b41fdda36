package resp

import (
	"container/heap"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/internal/shrink"
)

// This file is the data of blocking commands (BLPOP, BZPOPMIN, ...): a
// request whose command called Call.Block is parked, with the replies of the
// commands before it, until a key it waits on changes (then the key space
// runs the command again: Redis's signalKeyAsReady and
// handleClientsBlockedOnKeys), its timeout passes, or its connection goes.
// Like everything in the Store it outlives a failed key-space instance.

// client is a connection the key space knows (and watches).
type client struct {
	pid    *actor.PID
	parked *parked // its parked request, if any
	queue  []*job  // its later requests, waiting behind parked (or paused)
	// paused: the rest of a request whose replies so far went to the
	// connection as one chunk (keyspace_run.go's maxChunk); it runs when the
	// connection, having written them, asks for more. It holds back queue
	// as parked does.
	paused *job
}

// blockSpec is what Call.Block asked for.
type blockSpec struct {
	keys      [][]byte
	timeout   time.Duration
	onTimeout func(w *Writer)
}

// parked is a job waiting for one of its keys.
type parked struct {
	j        *job
	spec     *blockSpec
	db       int
	deadline time.Time // zero: none
	index    int       // in blocks.timeouts; -1 when not there
	gone     bool      // unparked: skip it where it is still listed
}

// dbKey names a key in one database.
type dbKey struct {
	db  int
	key string
}

// blocks holds every parked request. Its maps shrink once most keys are
// let go: a BLPOP on 100 000 keys, once unparked, kept 16 MB before they did.
type blocks struct {
	waiting  shrink.Map[dbKey, []*parked] // by key, first parked first served
	ready    []dbKey                      // keys changed since the last serving that have waiters
	isReady  shrink.Map[dbKey, bool]
	timeouts timeoutHeap // parked requests with a deadline, earliest first
	parked   int         // requests parked now: INFO's blocked_clients (a client parks one at a time)
}

// changed notes that key changed; if requests wait on it they will be tried.
func (b *blocks) changed(db int, key []byte) {
	if len(b.waiting.M) == 0 {
		return
	}
	k := dbKey{db, string(key)}
	if _, ok := b.waiting.M[k]; ok && !b.isReady.M[k] {
		b.isReady.Set(k, true)
		b.ready = append(b.ready, k)
	}
}

// allChanged notes that every key of database db with waiters changed
// (SWAPDB).
func (b *blocks) allChanged(db int) {
	for k := range b.waiting.M {
		if k.db == db && !b.isReady.M[k] {
			b.isReady.Set(k, true)
			b.ready = append(b.ready, k)
		}
	}
}

// park parks j on spec's keys.
func (b *blocks) park(j *job, spec *blockSpec, db int, now time.Time) *parked {
	p := &parked{j: j, spec: spec, db: db, index: -1}
	b.parked++
	for _, k := range spec.keys {
		dk := dbKey{db, string(k)}
		b.waiting.Set(dk, append(b.waiting.M[dk], p))
	}
	if spec.timeout > 0 {
		p.deadline = now.Add(spec.timeout)
		heap.Push(&b.timeouts, p)
	}
	return p
}

// unpark removes p from every list it is on.
func (b *blocks) unpark(p *parked) {
	if p.gone {
		return
	}
	p.gone = true
	b.parked--
	for _, k := range p.spec.keys {
		dk := dbKey{p.db, string(k)}
		list := b.waiting.M[dk]
		for i, q := range list {
			if q == p {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			b.waiting.Delete(dk)
		} else {
			b.waiting.Set(dk, list)
		}
	}
	if p.index >= 0 {
		heap.Remove(&b.timeouts, p.index)
	}
}

// nextReady takes the next changed key that has waiters.
func (b *blocks) nextReady() (dbKey, bool) {
	if len(b.ready) == 0 {
		return dbKey{}, false
	}
	k := b.ready[0]
	b.ready = b.ready[1:]
	if len(b.ready) == 0 {
		b.ready = nil // b.ready[1:] of the last one still holds the array
	}
	b.isReady.Delete(k)
	return k, true
}

// expired takes a parked request whose deadline is not after now, if any.
func (b *blocks) expired(now time.Time) *parked {
	if len(b.timeouts) == 0 || b.timeouts[0].deadline.After(now) {
		return nil
	}
	return b.timeouts[0]
}

// earliest is the earliest deadline, zero if none.
func (b *blocks) earliest() time.Time {
	if len(b.timeouts) == 0 {
		return time.Time{}
	}
	return b.timeouts[0].deadline
}

// timeoutHeap orders parked requests by deadline (container/heap).
type timeoutHeap []*parked

func (h timeoutHeap) Len() int           { return len(h) }
func (h timeoutHeap) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h timeoutHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timeoutHeap) Push(x any) {
	p := x.(*parked)
	p.index = len(*h)
	*h = append(*h, p)
}
func (h *timeoutHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	p.index = -1
	*h = old[:len(old)-1]
	return p
}
