package resp

import "slices"

// copyValue returns a deep copy of v, in the same encoding (COPY). Element
// bytes are shared: no value changes its elements' bytes in place.
func copyValue(v Value) Value {
	switch t := v.(type) {
	case *Str:
		return &Str{B: clone(t.B)}
	case *List:
		l := &List{}
		t.walk(0, t.Len()-1, l.PushBack) // PushBack copies
		return l
	case *Set:
		if t.table == nil {
			return &Set{ints: slices.Clone(t.ints)}
		}
		s := &Set{table: newMemberTable[struct{}]()}
		t.table.each(func(m string, _ struct{}) bool { s.table.add(m, struct{}{}); return true })
		return s
	case *Hash:
		h := newHash()
		t.Each(func(f string, val []byte) { h.Set([]byte(f), clone(val)) }) // its own: HSET rewrites a value in place (Put)
		h.table = t.table
		return h
	case *ZSet:
		z := newZset()
		t.table.each(func(m string, n *zslNode) bool { z.insert(m, n.score); return true })
		z.skiplist = t.skiplist
		return z
	}
	panic("resp: COPY of a value of unknown type " + v.Type())
}
