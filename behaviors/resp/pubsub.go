package resp

import (
	"slices"

	"github.com/asynkron/protoactor-go/actor"

	"async_server/internal/shrink"
)

// Pub/sub: who is subscribed to what, and the messages the broker sends.
//
// A connection is the authority on its own subscriptions: it keeps them
// (subscriptions, in its session), answers (P|S)SUBSCRIBE and
// (P|S)UNSUBSCRIBE from them at once, with Redis's counts, and tells the
// broker (subscribe, unsubscribe). The broker (Broker, run by the broker
// service) keeps the index a PUBLISH needs: for each channel and pattern, its
// subscribers. It watches each subscriber and forgets it on Terminated, or
// when its fresh behavior sends clientReset after a restart. A message goes
// to the subscribed connections as one immutable published value each;
// a connection drops one for a channel it is no longer subscribed to (it
// unsubscribed after the broker sent it), so replies stay exact.
//
// A Broker outlives the broker actor's instances (newBrokerService hands the
// same one to each): a crash of the broker loses no subscription.

// subKind is one of the three subscription name spaces.
type subKind uint8

const (
	subChannel subKind = iota // SUBSCRIBE, PUBLISH
	subPattern                // PSUBSCRIBE: glob patterns over channel names
	subShard                  // SSUBSCRIBE, SPUBLISH: shard channels (one shard here)
	subKinds
)

// Broker is the pub/sub broker's state: for each kind, each name's
// subscribers, and each subscriber by PID id, with the names it holds (to
// forget it in one go: the connection's own subscriptions may be gone, with
// its behavior or the connection itself). Only the broker service's actor
// touches it. pubsub_set.go keeps it small, and its maps shrink once most
// of what they held has gone: 100 000 subscribers that came and went kept
// 10 MB of buckets before they did, and PUBLISH walks the patterns' map,
// buckets and all.
type Broker struct {
	names   [subKinds]shrink.Map[string, subscribers]
	clients shrink.Map[string, *subscriber] // by PID id
}

// NewBroker returns an empty Broker.
func NewBroker() *Broker { return &Broker{} }

// receive takes the broker service's messages other than requests: what
// connections say of their subscriptions, and the end of one it watches.
func (b *Broker) receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *subscribe:
		if from := ctx.Sender(); from != nil && b.subscribe(from, m.Kind, m.Names) {
			ctx.Watch(from)
		}
	case *unsubscribe:
		if from := ctx.Sender(); from != nil && b.unsubscribe(from, m.Kind, m.Names) {
			ctx.Unwatch(from)
		}
	case *clientReset:
		if from := ctx.Sender(); from != nil && b.forget(from.Id) {
			ctx.Unwatch(from)
		}
	case *actor.Terminated:
		b.forget(m.Who.Id)
	}
}

// subscribe records that pid subscribed to names of kind k; it reports
// whether pid is new to the broker (so the caller watches it).
func (b *Broker) subscribe(pid *actor.PID, k subKind, names []string) bool {
	c, known := b.clients.M[pid.Id]
	if !known {
		c = &subscriber{pid: pid}
		b.clients.Set(pid.Id, c)
	}
	for _, n := range names {
		s := b.names[k].M[n]
		if s.add(c) {
			b.names[k].Set(n, s)
			c.held = append(c.held, heldName{name: n, k: k})
			c.live++
		}
	}
	return !known
}

// unsubscribe removes pid's subscriptions to names of kind k; it reports
// whether pid has none left (so the caller stops watching it).
func (b *Broker) unsubscribe(pid *actor.PID, k subKind, names []string) bool {
	c := b.clients.M[pid.Id]
	if c == nil {
		return false
	}
	for _, n := range names {
		if b.drop(k, n, c) {
			c.live--
		}
	}
	if c.live > 0 {
		b.compact(c)
		return false
	}
	b.dropClient(pid.Id)
	return true
}

// drop takes c out of name's subscribers; false if it was not there.
func (b *Broker) drop(k subKind, name string, c *subscriber) bool {
	s, ok := b.names[k].M[name]
	if !ok || !s.remove(c) {
		return false
	}
	if len(s.list) == 0 {
		b.names[k].Delete(name)
	} else {
		b.names[k].Set(name, s)
	}
	return true
}

// forget drops every subscription of the connection whose PID id is id (it
// ended, or its behavior restarted); false if it had none.
func (b *Broker) forget(id string) bool {
	c := b.clients.M[id]
	if c == nil {
		return false
	}
	for _, h := range c.held {
		b.drop(h.k, h.name, c)
	}
	b.dropClient(id)
	return true
}

// dropClient deletes the subscriber whose PID id is id.
func (b *Broker) dropClient(id string) { b.clients.Delete(id) }

// publish sends msg on channel (or shard channel) to its subscribers and, for
// a plain channel, to the subscribers of every matching pattern; it returns
// how many deliveries it made, as PUBLISH replies (a connection subscribed
// to the channel and to a matching pattern counts twice). The publisher's
// own deliveries (self) are written to w, before PUBLISH's reply, as Redis
// writes them: sent, they would reach it after the replies to the commands
// that follow PUBLISH in its pipeline.
func (b *Broker) publish(ctx actor.Context, self *actor.PID, w *Writer, shard bool, channel, payload string) int {
	n := 0
	kind, direct := subChannel, publishedMessage
	if shard {
		kind, direct = subShard, publishedShard
	}
	if subs := b.names[kind].M[channel].list; len(subs) > 0 {
		b.fanOut(ctx, self, w, subs, &published{Kind: direct, Channel: channel, Payload: payload})
		n += len(subs)
	}
	if shard {
		return n
	}
	for pattern, subs := range b.names[subPattern].M {
		if !globMatch([]byte(pattern), []byte(channel), false) {
			continue
		}
		b.fanOut(ctx, self, w, subs.list, &published{Kind: publishedPattern, Pattern: pattern, Channel: channel, Payload: payload})
		n += len(subs.list)
	}
	return n
}

// fanOut sends m to subs, writing it to w for self.
func (b *Broker) fanOut(ctx actor.Context, self *actor.PID, w *Writer, subs []*subscriber, m *published) {
	for _, c := range subs {
		if self != nil && c.pid.Id == self.Id {
			m.write(w)
			continue
		}
		ctx.Send(c.pid, m)
	}
}

// channels lists the names of kind k with subscribers that match pattern
// (every one when pattern is nil), sorted.
func (b *Broker) channels(k subKind, pattern []byte) []string {
	var out []string
	for n := range b.names[k].M {
		if pattern == nil || globMatch(pattern, []byte(n), false) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// count is the number of subscribers of name (kind k).
func (b *Broker) count(k subKind, name string) int { return len(b.names[k].M[name].list) }

// patterns is the number of distinct patterns with subscribers (PUBSUB NUMPAT).
func (b *Broker) patterns() int { return len(b.names[subPattern].M) }

// publishedKind says which push a published message is.
type publishedKind uint8

const (
	publishedMessage publishedKind = iota // ["message", channel, payload]
	publishedPattern                      // ["pmessage", pattern, channel, payload]
	publishedShard                        // ["smessage", channel, payload]
)

// published is what the broker sends a subscribed connection for each
// message: immutable, one value shared by all the subscribers of a name.
// Its Size counts against the connection's output limit, so a subscriber
// that does not read is closed, not buffered without end.
type published struct {
	Kind             publishedKind
	Pattern, Channel string
	Payload          string
}

// write writes m as a push (an array in RESP2).
func (m *published) write(w *Writer) {
	switch m.Kind {
	case publishedMessage:
		w.Push(3)
		w.BulkString("message")
	case publishedPattern:
		w.Push(4)
		w.BulkString("pmessage")
		w.BulkString(m.Pattern)
	case publishedShard:
		w.Push(3)
		w.BulkString("smessage")
	}
	w.BulkString(m.Channel)
	w.BulkString(m.Payload)
}

// Size is what the message costs a connection's output limit: about its
// encoded length.
func (m *published) Size() int { return len(m.Pattern) + len(m.Channel) + len(m.Payload) + 48 }

// subscribe is what a connection tells the broker when it subscribes (sent
// with Conn.Send, after the commands before it).
type subscribe struct {
	Kind  subKind
	Names []string
}

// unsubscribe is what a connection tells the broker when it unsubscribes.
type unsubscribe struct {
	Kind  subKind
	Names []string
}
