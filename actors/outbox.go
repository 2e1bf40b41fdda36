package actors

import (
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/sirupsen/logrus"

	"async_server/messages"
)

// outbox bounds what other actors have queued for one connection and it has not
// yet handled (and so, for a message-driven behavior, not yet written to its
// peer): a service that sends to a connection whose peer does not read must
// neither block nor make the server buffer without end. It is a protoactor
// mailbox middleware: MessagePosted runs on the sender's goroutine, so the
// limit is enforced without waiting on the connection. What a message counted
// is released as the connection actor begins to handle it (taken, from
// Receive), not in MessageReceived: protoactor's mailbox calls that only after
// the message returns, and a message that fails the actor (a panic) never
// does, so every failure would leave its size counted for good.
//
// As Redis's client-output-buffer-limit: past the hard limit the connection is
// closed at once; above the soft limit for longer than softFor, too.
//
// A service's reply of 64 KiB or more that says it is Unlimited (resp: the
// answer to the connection's own request that holds one command's reply,
// whose size the data bounds) counts for the memory budget, apart (unlimited), but never
// against the limits, nor does it make a later message pass them: as a
// Redis normal client has no output limit, LRANGE of a 44 MB list is
// delivered, not a closed connection.
type outbox struct {
	hard, soft int64
	softFor    time.Duration
	queued     atomic.Int64 // bytes posted and not yet received
	softSince  atomic.Int64 // unix nanoseconds when queued rose above soft; 0: below
	over       atomic.Bool  // the limit was hit: the connection is being closed
	// unlimited: KiB (each message's rounded up) of Unlimited replies posted
	// and not yet received, not in queued. KiB in 32 bits, beside over: the
	// link stays in its size class.
	unlimited atomic.Int32

	link *link // set before the mailbox starts; read by MessagePosted
}

var _ actor.MailboxMiddleware = (*outbox)(nil)

// defaultMessageSize is what a message without a Size method counts for.
const defaultMessageSize = 64

// sizeOf is what msg counts against the limit: nothing for the connection's own
// messages (the reader's input has its own flow control) nor for protoactor's
// lifecycle messages (some never reach Receive, where taken releases what a
// message counted), its Size() if it has one, defaultMessageSize otherwise (an
// envelope's payload counts, not the envelope).
func sizeOf(msg any) int64 {
	switch m := actor.UnwrapEnvelopeMessage(msg).(type) {
	case *messages.ServiceReply: // first: the most frequent, and its type is checked at once
		if s, ok := m.Body.(interface{ Size() int }); ok {
			return int64(s.Size())
		}
	case *messages.DataReceived, *messages.ReadFailed, actor.SystemMessage, actor.AutoReceiveMessage, actor.MailboxMessage:
		return 0
	case interface{ Size() int }:
		return int64(m.Size())
	}
	return defaultMessageSize
}

func (o *outbox) MailboxStarted() {}
func (o *outbox) MailboxEmpty()   {}

// unlimited is a service reply's body that counts against no output limit
// (outbox).
type unlimited interface{ Unlimited() bool }

// unlimitedFrom is the size from which a message is asked whether it is
// Unlimited: a smaller one counts against the limits as any, and the
// common reply (a few bytes) costs no more than it did.
const unlimitedFrom = 64 << 10

// kibOf is size in KiB, rounded up (outbox.unlimited).
func kibOf(size int64) int32 { return int32((size + 1023) >> 10) }

// isUnlimited reports whether msg is a reply whose body is unlimited.
func isUnlimited(msg any) bool {
	r, ok := actor.UnwrapEnvelopeMessage(msg).(*messages.ServiceReply)
	if !ok {
		return false
	}
	u, ok := r.Body.(unlimited)
	return ok && u.Unlimited()
}

// MessageReceived implements actor.MailboxMiddleware. It does nothing: see
// taken.
func (o *outbox) MessageReceived(any) {}

// taken releases what msg counted. The connection actor calls it on its own
// goroutine as it begins to handle msg, so that a message that fails the
// actor releases it too.
func (o *outbox) taken(msg any) {
	size := sizeOf(msg)
	if size == 0 { // the reader's own input: nothing counted, nothing to do
		return
	}
	if size >= unlimitedFrom && isUnlimited(msg) {
		kib := int64(kibOf(size))
		n := int64(o.unlimited.Add(-int32(kib)))
		o.link.recount((n+kib)<<10, n<<10)
		return
	}
	n := o.queued.Add(-size)
	if n <= o.soft && o.softSince.Load() != 0 {
		o.softSince.Store(0)
	}
	o.link.recount(n+size, n)
}

// MessagePosted runs on the sender's goroutine: it must never block.
func (o *outbox) MessagePosted(msg any) {
	size := sizeOf(msg)
	if size == 0 { // the per-read path of every connection: keep it free
		return
	}
	if size >= unlimitedFrom && isUnlimited(msg) {
		kib := int64(kibOf(size))
		n := int64(o.unlimited.Add(int32(kib)))
		if o.link != nil {
			o.link.recount((n-kib)<<10, n<<10)
		}
		return
	}
	n := o.queued.Add(size)
	if o.link != nil {
		o.link.recount(n-size, n)
	}
	if o.hard > 0 && n > o.hard {
		o.overflow(n, "hard")
		return
	}
	if o.soft <= 0 || n <= o.soft {
		return
	}
	now := time.Now().UnixNano()
	if o.softSince.CompareAndSwap(0, now) {
		return
	}
	if since := o.softSince.Load(); since != 0 && time.Duration(now-since) > o.softFor {
		o.overflow(n, "soft")
	}
}

// overflow closes the connection, once: the socket at once (unblocking a write to
// a peer that does not read) and the actor with a Stop, which discards what is
// queued.
func (o *outbox) overflow(queued int64, which string) {
	if !o.over.CompareAndSwap(false, true) || o.link == nil {
		return
	}
	o.link.Log().WithFields(logrus.Fields{"queued": queued, "limit": which, "hard": o.hard, "soft": o.soft}).
		Warn("output limit exceeded; closing the connection")
	o.link.setEnd(endOutput)
	o.link.shut(false)
	o.link.env.root.Stop(o.link.self)
}
