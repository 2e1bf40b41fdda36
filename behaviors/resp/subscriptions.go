package resp

import "slices"

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

// nameSet is a set of names: few, while m is nil, else m.
type nameSet struct {
	few []string
	m   map[string]struct{}
}

func (ns *nameSet) len() int {
	if ns.m != nil {
		return len(ns.m)
	}
	return len(ns.few)
}

func (ns *nameSet) has(n string) bool {
	if ns.m != nil {
		_, ok := ns.m[n]
		return ok
	}
	return slices.Contains(ns.few, n)
}

// add adds n; false if it was there.
func (ns *nameSet) add(n string) bool {
	switch {
	case ns.has(n):
		return false
	case ns.m != nil:
		ns.m[n] = struct{}{}
	case len(ns.few) < fewNames:
		ns.few = append(ns.few, n)
	default:
		ns.m = make(map[string]struct{}, 2*fewNames)
		for _, f := range ns.few {
			ns.m[f] = struct{}{}
		}
		ns.m[n] = struct{}{}
		ns.few = nil
	}
	return true
}

// remove removes n; false if it was not there. An emptied map is let go.
func (ns *nameSet) remove(n string) bool {
	if ns.m != nil {
		if _, ok := ns.m[n]; !ok {
			return false
		}
		delete(ns.m, n)
		if len(ns.m) == 0 {
			ns.m = nil
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
	for n := range ns.m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
