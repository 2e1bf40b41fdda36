package resp

import (
	"math/bits"
	"sync"
)

// This file is where a connection's input is kept while its commands are
// run: the parser copies each read (the reader's buffer is reused once the
// read is handled, and the key space may run the commands later), and the
// arguments it hands out are slices of that copy. The copy and its argument
// slots were a third of what the server allocated per command under
// redis-benchmark. So a read that starts on an empty buffer is copied into
// an input taken from a pool, and the input goes back once nobody can still
// read it:
//
//   - compact lends it: every command in it has been handed out, and the
//     key space's requests carrying their arguments may not be answered yet;
//   - the session releases what is lent once no request it sent is owed an
//     answer (collect: its queue is empty), since a service that has
//     answered a request no longer holds its arguments, and a command the
//     connection runs itself copies what it keeps (a name, a channel);
//   - an input some of whose arguments went where they may be kept longer
//     (MULTI's queue, until EXEC; a shard, which may still run a request
//     whose answer timed out; the broker, whose segments are not recycled
//     either) is pinned, and never goes back: the garbage collector has it.
//
// What the key space's commands keep they copy (clone, string(key)), as
// they always have (an argument kept as it is would pin a whole read); the
// package's tests fill every released input with '!' (poisonReleased), so
// a command that kept an argument shows as a wrong reply. An idle
// connection holds no input: it went back with its last answer.

// input is a read's copy and its commands' argument slots (argSlots).
type input struct {
	b     []byte
	slots [][]byte
	class int // its pool: inputs[class]
}

// The pools of inputs by size: 64 bytes << class, up to maxPooledRead. A
// larger read is copied as before, into an array of its own.
var inputs [inputClasses]sync.Pool

const (
	inputClasses  = 9
	maxPooledRead = 64 << (inputClasses - 1) // 16 KiB
)

// poisonReleased has release fill what it gives back with '!' (tests).
var poisonReleased bool

// takeInput returns an input that holds n bytes, or nil if n is over
// maxPooledRead.
func takeInput(n int) *input {
	if n > maxPooledRead {
		return nil
	}
	class := 0
	if n > 64 {
		class = bits.Len(uint(n-1)) - 6
	}
	if in, _ := inputs[class].Get().(*input); in != nil {
		return in
	}
	return &input{b: make([]byte, 0, 64<<class), class: class}
}

// feed appends input. Arguments handed out before stay valid: their bytes are
// never overwritten (see compact, and this file's comment).
func (p *parser) feed(data []byte) {
	if p.buf == nil {
		if in := takeInput(len(data)); in != nil {
			p.in, p.buf, p.slots = in, append(in.b[:0], data...), in.slots[:0]
			return
		}
	}
	p.buf = append(p.grow(len(data)), data...)
	if p.in != nil && cap(p.buf) != cap(p.in.b) {
		// Outgrown: nothing was handed out of it (a command in progress is
		// kept in place only while nothing before it was consumed), and it
		// is dropped, its slots with it.
		p.in, p.slots = nil, nil
	}
}

// grow returns buf with room for n more bytes. It at least doubles buf:
// append's growth (1.25x for a large slice, a copy each time) left buffers
// adding up to four times a big bulk behind it, garbage until the next
// collection, where doubling leaves less than the buffer it ends with.
// While a big bulk of known length is arriving (at least half as long as
// its command before it), the doubling goes along the steps ..., end/4,
// end/2, end, where end is where the bulk ends, so the bulk's last step is
// its exact end. Only what arrived is paid for, never the length announced
// (Redis preallocates a bulk of 32 KiB or more: a client announcing 512 MB
// and sending nothing would cost 512 MB), and buf stays under twice what
// arrived. A small bulk's end is no step: stepping to the end of each would
// copy a long command once for every bulk in it.
func (p *parser) grow(n int) []byte {
	need := len(p.buf) + n
	if need <= cap(p.buf) {
		return p.buf
	}
	c := max(need, 2*cap(p.buf))
	if p.argc > 0 && p.bulk >= 0 && 2*p.bulk >= p.pos {
		c = max(need, p.pos+p.bulk+2) // need: the bulk ends in this read
		for c > 2*cap(p.buf) && (c+1)/2 >= need {
			c = (c + 1) / 2
		}
	}
	b := make([]byte, len(p.buf), c)
	copy(b, p.buf)
	return b
}

// pin marks the input of the command just handed out as kept by others:
// it never goes back to the pool.
func (p *parser) pin() { p.pinned = true }

// lend is compact's: buf's commands have all been handed out. Its input, if
// it has one and it is not pinned, waits for release; one lent before and
// not yet released is dropped (its requests may still be running).
func (p *parser) lend() {
	if p.in != nil && !p.pinned {
		if cap(p.slots) > cap(p.in.slots) && cap(p.slots) <= maxSlots {
			p.in.slots = p.slots[:0] // argSlots outgrew its array: keep the larger one
		}
		p.lent = p.in
	}
	p.in, p.slots, p.pinned = nil, nil, false
}

// release gives back the input lent, if any: the session calls it when
// nothing it handed out is held by anyone any more.
func (p *parser) release() {
	in := p.lent
	if in == nil {
		return
	}
	p.lent = nil
	if poisonReleased {
		b := in.b[:cap(in.b)]
		for i := range b {
			b[i] = '!'
		}
	}
	in.b = in.b[:0]
	inputs[in.class].Put(in)
}
