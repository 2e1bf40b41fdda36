package resp

import (
	"cmp"
	"slices"

	"github.com/asynkron/protoactor-go/actor"
)

// The broker's index, small per subscription: a channel (or pattern) maps to
// its subscribers as a value, not a map of its own, and a subscriber keeps
// the names it holds in a slice, not a set (TestSubscriptionMemory).

// fewSubscribers is how many subscribers a name keeps in its slice alone:
// up to it, finding one is a scan of a few pointers, cheaper than a map's
// memory; past it an index (subscribers.at) keeps an unsubscribe O(1) for a
// channel with 100 000 subscribers.
const fewSubscribers = 16

// subscribers is one name's subscribers, in no order; a PUBLISH walks list.
// at, when not nil (past fewSubscribers), gives each one's place in list.
// Kept by value in Broker.names: store it back after a change.
type subscribers struct {
	list []*subscriber
	at   map[*subscriber]int32
}

// subscriber is a connection with at least one subscription. held lists
// the names it has subscribed to, for forget; it may still list one it has
// since unsubscribed from, or list one twice (subscribed again), so that an
// unsubscribe need not search it: live counts those it holds, and compact
// drops the rest once they are as many. (One slice for the three kinds,
// not three: a connection subscribed to one channel is the common case.)
type subscriber struct {
	pid  *actor.PID
	held []heldName
	live int
}

// heldName is a name a subscriber holds (or held), of kind k.
type heldName struct {
	name string
	k    subKind
}

// index is c's place in list, or -1.
func (s *subscribers) index(c *subscriber) int {
	if s.at != nil {
		if i, ok := s.at[c]; ok {
			return int(i)
		}
		return -1
	}
	return slices.Index(s.list, c)
}

// add adds c; false if it was there.
func (s *subscribers) add(c *subscriber) bool {
	if s.index(c) >= 0 {
		return false
	}
	s.list = append(s.list, c)
	switch {
	case s.at != nil:
		s.at[c] = int32(len(s.list) - 1)
	case len(s.list) > fewSubscribers:
		s.at = make(map[*subscriber]int32, len(s.list))
		for i, c := range s.list {
			s.at[c] = int32(i)
		}
	}
	return true
}

// remove removes c, moving the last one into its place; false if it was
// not there. The slice and index shrink back when few are left, and are
// made anew once under a quarter of the slice's capacity is left (100 000
// subscribers of a channel, all but 20 gone, kept 2.4 MB of the index's
// buckets).
func (s *subscribers) remove(c *subscriber) bool {
	i := s.index(c)
	if i < 0 {
		return false
	}
	last := len(s.list) - 1
	s.list[i] = s.list[last]
	s.list[last] = nil
	s.list = s.list[:last]
	if s.at != nil {
		delete(s.at, c)
		if i < last {
			s.at[s.list[i]] = int32(i)
		}
		if len(s.list) <= fewSubscribers/2 {
			s.at = nil
		}
	}
	if cap(s.list) > 2*fewSubscribers && len(s.list) < cap(s.list)/4 {
		s.list = slices.Clone(s.list)
		if s.at != nil { // a map keeps its buckets: made anew with the slice
			s.at = make(map[*subscriber]int32, len(s.list))
			for i, c := range s.list {
				s.at[c] = int32(i)
			}
		}
	}
	return true
}

// compact drops from c.held the names c no longer holds, and the repeats,
// once they are as many as the rest: an unsubscribe costs O(1) amortized,
// and held stays within about twice what c holds.
func (b *Broker) compact(c *subscriber) {
	if len(c.held) <= 2*c.live+fewSubscribers {
		return
	}
	held := slices.DeleteFunc(c.held, func(h heldName) bool {
		s := b.names[h.k].M[h.name]
		return s.index(c) < 0
	})
	slices.SortFunc(held, func(x, y heldName) int {
		return cmp.Or(cmp.Compare(x.k, y.k), cmp.Compare(x.name, y.name))
	})
	c.held = slices.Clone(slices.Compact(held)) // a new array: the old one is twice the size
}
