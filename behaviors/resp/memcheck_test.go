package resp

import "fmt"

// The memory accounting's check, for tests: TEST.MEMCHECK counts every key
// of every database from scratch, walking each value's elements, and
// answers +OK if that is what the store's running sums say, else an error
// naming the first key (or database) that differs. A write that changed a
// value without DB.Changed, or a value whose running sum of lengths drifts,
// shows here.

// Exported for the resp_test package: the estimate's constants.
const (
	KeyOverhead    = keyOverhead
	StrOverhead    = strOverhead
	ExpireOverhead = expireOverhead
)

func cmdTestMemCheck(c *Call) {
	if err := c.Store.checkMemory(); err != nil {
		c.W.Error("ERR " + err.Error())
		return
	}
	c.W.OK()
}

func (st *Store) checkMemory() error {
	st.settle()
	for _, db := range st.dbs {
		var sum int64
		var err error
		db.keys.each(func(k string, e *entry) bool {
			want := int64(keyOverhead+len(k)) + walkSize(e.v)
			if got := int64(keyOverhead+len(k)) + valueSize(e.v); got != want {
				err = fmt.Errorf("db %d key %q (%s): its running sum says %d, its elements %d", db.Index, k, e.v.Type(), got, want)
			} else if e.size != want {
				err = fmt.Errorf("db %d key %q (%s): counted at %d, is %d", db.Index, k, e.v.Type(), e.size, want)
			}
			sum += want
			return err == nil
		})
		if err != nil {
			return err
		}
		for k := range db.expires.M {
			if db.keys.has(k) {
				sum += expireSize(k)
			} else {
				return fmt.Errorf("db %d: expiry of %q, which is not a key", db.Index, k)
			}
		}
		if sum != db.used {
			return fmt.Errorf("db %d: used %d, its keys add up to %d", db.Index, db.used, sum)
		}
	}
	return nil
}

// walkSize is valueSize computed from the elements.
func walkSize(v Value) int64 {
	n := 0
	switch t := v.(type) {
	case *List:
		elems := 0
		for j := range t.nc {
			c := t.chunk(j)
			elems += c.count()
			n += cap(c.spans)*8 + cap(c.data)
		}
		if elems != t.Len() {
			return -1
		}
		return int64(listOverhead + len(t.ring)*listSlotOverhead + n)
	case *Hash:
		t.Each(func(f string, val []byte) { n += hashFieldOverhead + len(f) + len(val) })
		return int64(hashOverhead + n)
	case *Set:
		if t.table == nil {
			return int64(setOverhead + 8*len(t.ints))
		}
		t.Each(func(m string) bool { n += setMemberOverhead + len(m); return true })
		return int64(setOverhead + n)
	case *ZSet:
		t.table.each(func(m string, _ *zslNode) bool { n += zsetMemberOverhead + len(m); return true })
		if t.len() != t.zsl.length {
			return -1
		}
		return int64(zsetOverhead + n)
	}
	return valueSize(v)
}
