package resp

import (
	"slices"

	"async_server/internal/shrink"
)

// subscriptions is what one connection is subscribed to, by kind (see
// pubsub.go: the connection is the authority on them).
type subscriptions struct {
	names [subKinds]nameSet
}

// count is what (P)SUBSCRIBE's replies count: channels and patterns
// (SSUBSCRIBE's count shard channels alone).
func (ps *subscriptions) count(k subKind) int {
	if ps == nil {
		return 0
	}
	if k == subShard {
		return ps.names[subShard].len()
	}
	return ps.names[subChannel].len() + ps.names[subPattern].len()
}

func (ps *subscriptions) has(k subKind, name string) bool {
	return ps != nil && ps.names[k].has(name)
}

// fewNames is how many names a nameSet keeps in a slice: a Go map for one
// name costs about 200 bytes, the slice 16 (TestSubscriptionMemory); past
// it, a map keeps a lookup O(1) for a connection with 100 000.
const fewNames = 8

// nameSet is a set of names: few, while many is nil, else many. many
// shrinks: one connection subscribed to 100 000 channels and left with one
// kept 3.5 MB of buckets before it did.
type nameSet struct {
	few  []string
	many shrink.Map[string, struct{}]
}

func (ns *nameSet) len() int {
	if ns.many.M != nil {
		return len(ns.many.M)
	}
	return len(ns.few)
}

func (ns *nameSet) has(n string) bool {
	if ns.many.M != nil {
		_, ok := ns.many.M[n]
		return ok
	}
	return slices.Contains(ns.few, n)
}

// add adds n; false if it was there.
func (ns *nameSet) add(n string) bool {
	switch {
	case ns.has(n):
		return false
	case ns.many.M != nil:
		ns.many.Set(n, struct{}{})
	case len(ns.few) < fewNames:
		ns.few = append(ns.few, n)
	default:
		ns.many.M = make(map[string]struct{}, 2*fewNames)
		for _, f := range ns.few {
			ns.many.Set(f, struct{}{})
		}
		ns.many.Set(n, struct{}{})
		ns.few = nil
	}
	return true
}

// remove removes n; false if it was not there. An emptied map is let go.
func (ns *nameSet) remove(n string) bool {
	if ns.many.M != nil {
		if _, ok := ns.many.M[n]; !ok {
			return false
		}
		ns.many.Delete(n)
		if len(ns.many.M) == 0 {
			ns.many.Clear()
		}
		return true
	}
	i := slices.Index(ns.few, n)
	if i < 0 {
		return false
	}
	ns.few = slices.Delete(ns.few, i, i+1)
	return true
}

// sorted is the names, sorted.
func (ns *nameSet) sorted() []string {
	out := slices.Clone(ns.few)
	for n := range ns.many.M {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
